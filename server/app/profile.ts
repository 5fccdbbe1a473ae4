import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema';
import { authed, guarded, router } from '../index';
import { displayNameInput } from './user-model';

/** The signed-in user's own profile fields. */
export const profileRouter = router({
  update: guarded(authed())
    .input(z.object({ displayName: displayNameInput }))
    .mutation(async function updateProfile({ ctx, input }) {
      await ctx.db.update(users).set({ displayName: input.displayName }).where(eq(users.id, ctx.user.id));
      // The navbar of this tab (in the reply) and of the user's other tabs (pushed) follows.
      const user = await ctx.auth.refreshSnapshot();
      ctx.actions.toast('success', 'Profile saved.');
      return { displayName: user.displayName ?? '' };
    }),
});
