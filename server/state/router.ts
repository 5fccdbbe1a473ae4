import { z } from 'zod';
import { snapshotOf } from '../bridge/event';
import { publicProcedure, router } from '../trpc';
import { AUTH_SLICE, type Delta, type StatePush } from './protocol';

/**
 * Built-in procedures of every Statehouse app, under `statehouse.*`:
 * the per-connection `state` subscription and the route mirror update.
 */
export const stateRouter = router({
  /**
   * Pushes of this connection: first every slice in full (resumed or
   * initial), then deltas and actions produced outside the tab's own events
   * (other tabs' logout, revocation, server jobs).
   */
  state: publicProcedure.subscription(async function* stateStream({ ctx, signal }): AsyncGenerator<StatePush> {
    const { connection: conn, runtime } = ctx;
    const full: Delta = {};
    for (const def of runtime.slices.values()) {
      if (!conn.slices.has(def.name)) conn.slices.set(def.name, structuredClone(def.initial) as Record<string, unknown>);
    }
    for (const [name, values] of conn.slices) full[name] = { ...values };
    conn.authSnapshot = await snapshotOf(runtime, ctx.user);
    full[AUTH_SLICE] = { ...conn.authSnapshot };
    yield { delta: full, actions: ctx.actions.list.splice(0), full: true };
    yield* conn.pushes(signal);
  }),

  /** The tab's page changed: the route mirror follows (also applied in order on arrival). */
  route: publicProcedure
    .input(z.object({ path: z.string().startsWith('/').max(2048), query: z.string().max(2048) }))
    .mutation(function reportRoute({ ctx, input }) {
      ctx.connection.setRoute(input.path, input.query);
      return null;
    }),
});
