import { createAppRouter } from '../index';
import { dashboardRouter } from './dashboard';
import { notesRouter } from './notes';
import { preferencesRouter } from './preferences';
import { profileRouter } from './profile';

/** The example app's router: what the Solid pages call with full types. */
export const appRouter = createAppRouter({
  dashboard: dashboardRouter,
  notes: notesRouter,
  preferences: preferencesRouter,
  profile: profileRouter,
});

export type AppRouter = typeof appRouter;
export { appSlices } from './slices';
export { userModel } from './user-model';
