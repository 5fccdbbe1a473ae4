import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { connectedAccounts, disconnectAccount } from '../auth/connected-accounts';
import { providerLabels } from '../auth/oauth/provider-labels';
import { recentAuth } from '../bridge/account-guards';
import { guarded, publicProcedure } from '../bridge/bridge';
import { authed } from '../bridge/guards';

/**
 * The procedures of the sign-in methods that end over HTTP, merged into
 * `auth.*`: ask for an emailed link, list and disconnect provider accounts
 * (Connect is a link to `GET /auth/oauth/<provider>?intent=connect`).
 */
export const signInMethodProcedures = {
  requestSignInLink: publicProcedure
    .input(z.object({ email: z.string().trim().min(1, 'Enter your email address.').max(254).email('Enter a valid email address.') }))
    .mutation(async function requestSignInLink({ ctx, input }) {
      await ctx.auth.requestSignInLink(input.email);
      return { sent: true as const };
    }),

  connectedAccounts: guarded(authed()).query(async function connectedAccountsOf({ ctx }) {
    const list = await connectedAccounts(ctx.db, providerLabels(ctx.runtime.config), ctx.user.id);
    return list.map((c) => ({
      provider: c.provider,
      label: c.label,
      account: c.account && { id: c.account.id, email: c.account.email, createdAt: c.account.createdAt },
    }));
  }),

  // Taking away a way to sign in asks for a recent proof of the user, as a password change does.
  disconnectAccount: guarded(recentAuth())
    .input(z.object({ id: z.number().int().positive() }))
    .mutation(async function disconnect({ ctx, input }) {
      const outcome = await disconnectAccount(ctx.db, ctx.runtime.config, ctx.user.id, input.id);
      if (outcome === 'not_found') throw new TRPCError({ code: 'NOT_FOUND', message: 'No such connected account.' });
      if (outcome === 'last_method') {
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: 'This is your only way to sign in. Set a password, add a passkey or connect another account first.',
        });
      }
      ctx.runtime.log.info('provider disconnected', { userId: ctx.user.id });
      ctx.auth.audit({ type: 'provider.disconnected' });
      return null;
    }),
};
