import { z } from 'zod';
import { can, createAppRouter, defineSlice, guarded, publicProcedure, router } from '../../server';
import { bumpInput } from './bump-input';

/** The slice the load writes: one field per event, so every reply carries a delta. */
export const benchSlice = defineSlice('bench', { n: 0 });

/** Permission the load user holds (checked on every `bench.bump`). */
export const WRITE_PERM = 'bench.write';
/** Permission of the user who ends other users' sessions. */
export const ADMIN_PERM = 'bench.admin';

/** The procedures the bench drives on a real Statehouse. */
export const benchRouter = router({
  /** The full path: session from the cookie mirror, user, `can(perm)`, one slice field written, delta. */
  bump: guarded(can(WRITE_PERM))
    .input(bumpInput)
    .mutation(function bump({ ctx, input }) {
      ctx.state.set(benchSlice, { n: input.n });
      return input.n;
    }),

  // `bench.bump` with one part taken away each (`bun run bench --only parts`).

  /** No guard: the bridge (session, user, context) and the slice write. */
  bumpUnguarded: publicProcedure.input(bumpInput).mutation(function bumpUnguarded({ ctx, input }) {
    ctx.state.set(benchSlice, { n: input.n });
    return input.n;
  }),

  /** No slice write: the bridge and `can(perm)`; the reply carries no delta. */
  bumpNoWrite: guarded(can(WRITE_PERM))
    .input(bumpInput)
    .mutation(function bumpNoWrite({ input }) {
      return input.n;
    }),

  /** The bridge alone: no guard, no slice write. */
  bumpBridgeOnly: publicProcedure.input(bumpInput).mutation(function bumpBridgeOnly({ input }) {
    return input.n;
  }),

  /** Ends every session of a user through the app; the identity bus pushes the sign-out to its tabs. */
  revokeUser: guarded(can(ADMIN_PERM))
    .input(z.object({ userId: z.number().int() }))
    .mutation(async function revokeUser({ ctx, input }) {
      const ended = await ctx.auth.invalidateUserSessions(input.userId);
      return { ended: ended.length };
    }),
});

/** The bench app's root router (built-in `statehouse.*` and `auth.*` included). */
export const benchAppRouter = createAppRouter({ bench: benchRouter });
