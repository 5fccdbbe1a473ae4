import { z } from 'zod';
import { authed } from '../auth/middleware';
import { publicProcedure, router } from '../trpc';
import { preferencesSlice } from './slices';

const themeInput = z.object({ theme: z.enum(['light', 'dark']) });

/** Preferences kept in the session (per key: other tabs' writes survive). */
export const preferencesRouter = router({
  load: publicProcedure.use(authed()).query(async function loadPreferences({ ctx }) {
    const theme = (await ctx.session.get<string>('theme')) === 'dark' ? 'dark' : 'light';
    ctx.state.set(preferencesSlice, { theme });
    return { theme };
  }),
  setTheme: publicProcedure
    .use(authed())
    .input(themeInput)
    .mutation(async function setTheme({ ctx, input }) {
      await ctx.session.set('theme', input.theme);
      ctx.state.set(preferencesSlice, { theme: input.theme });
      return { theme: input.theme };
    }),
});
