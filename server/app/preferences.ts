import { z } from 'zod';
import { authed, guarded, router } from '../index';
import { preferencesSlice } from './slices';

const themeInput = z.object({ theme: z.enum(['light', 'dark']) });

/** Preferences kept in the session (per key: other tabs' writes survive). */
export const preferencesRouter = router({
  load: guarded(authed()).query(async function loadPreferences({ ctx }) {
    const theme = (await ctx.session.get<string>('theme')) === 'dark' ? 'dark' : 'light';
    ctx.state.set(preferencesSlice, { theme });
    return { theme };
  }),
  setTheme: guarded(authed())
    .input(themeInput)
    .mutation(async function setTheme({ ctx, input }) {
      await ctx.session.set('theme', input.theme);
      ctx.state.set(preferencesSlice, { theme: input.theme });
      return { theme: input.theme };
    }),
});
