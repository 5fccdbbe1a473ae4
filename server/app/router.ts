import { createAppRouter } from '../index';
import { dashboardRouter } from './dashboard';
import { notesRouter } from './notes';
import { preferencesRouter } from './preferences';

/** The example app's router: what the Solid pages call with full types. */
export const appRouter = createAppRouter({
  dashboard: dashboardRouter,
  notes: notesRouter,
  preferences: preferencesRouter,
});

export type AppRouter = typeof appRouter;
export { appSlices } from './slices';
