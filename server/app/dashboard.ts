import { z } from 'zod';
import { publicProcedure, router } from '../index';
import { dashboardSlice } from './slices';

const TABS = ['overview', 'activity', 'help'] as const;

/** The dashboard: the tab from `?tab=` and the last visited page from the session. */
export const dashboardRouter = router({
  /** Called on every page view: remembers the page in the session, shows the last one. */
  visit: publicProcedure.input(z.object({ path: z.string().startsWith('/').max(2048) })).mutation(async function visit({ ctx, input }) {
    const last = (await ctx.session.get<string>('lastPath')) ?? '';
    const tabParam = ctx.request.query.get('tab');
    const tab = (TABS as readonly string[]).includes(tabParam ?? '') ? tabParam! : 'overview';
    ctx.state.set(dashboardSlice, { tab, lastPath: last });
    if (ctx.user.isAuthenticated && last !== input.path) await ctx.session.set('lastPath', input.path);
    return { tab, lastPath: last };
  }),
});
