import { TRPCError } from '@trpc/server';
import { lastAuthenticatedAt } from '../auth/session';
import { isLoggedIn } from '../auth/user';
import { Refusal } from '../errors';
import type { ReauthMethod } from '../state/protocol';
import { twoFactorEnabled } from '../auth/two-factor';
import { guard, messageOf, refuseAnonymous, type AuthedOptions, type Guard } from './guards';
import type { EventContext } from './trpc';

export interface RecentAuthOptions extends AuthedOptions {
  /** How long a sign-in or a confirmation counts as recent (default: `auth.reauthWindowMs`, 10 minutes). */
  maxAgeMs?: number;
}

/**
 * How the user can confirm it is them: their password, and a code of their
 * authenticator app while two-factor is on. Asked only when a guard refuses.
 */
export async function reauthMethodsOf(ctx: EventContext): Promise<ReauthMethod[]> {
  const { config, db } = ctx.runtime;
  const userId = ctx.user.id;
  if (!config.twoFactor.enabled || userId === null || !(await twoFactorEnabled(db, userId))) return ['password'];
  return ['password', 'totp'];
}

/**
 * Requires a session that proved its user recently: signed in, or answered
 * **Confirm it's you** (`auth.confirmIdentity`), within `maxAgeMs`. Older
 * sessions get FORBIDDEN with `reason: 'REAUTH_REQUIRED'` and a
 * `confirmIdentity` client action: the client asks, then sends the call again
 * once. Reads only the session row the event already has: no query.
 *
 * @example
 * const remove = guarded(recentAuth({ maxAgeMs: 5 * 60_000 })).mutation(({ ctx }) => ctx.auth.deleteAccount());
 */
export function recentAuth(options: RecentAuthOptions = {}): Guard {
  return guard('hasRecentAuth', (ctx) => {
    if (!isLoggedIn(ctx.user)) return refuseAnonymous(ctx, options);
    const session = ctx.event.sessionRow;
    const maxAgeMs = options.maxAgeMs ?? ctx.runtime.config.auth.reauthWindowMs;
    if (session && Date.now() - lastAuthenticatedAt(session) <= maxAgeMs) return undefined;
    return reauthMethodsOf(ctx).then((methods) => {
      ctx.actions.add({ type: 'confirmIdentity', methods });
      throw new TRPCError({ code: 'FORBIDDEN', message: messageOf(ctx, 'reauthRequired'), cause: new Refusal('REAUTH_REQUIRED') });
    });
  });
}

/**
 * Requires a signed-in user whose email address is verified (with
 * `auth.emailVerification: 'off'` every signed-in user passes). Others get
 * FORBIDDEN with `reason: 'EMAIL_UNVERIFIED'`; the pages show the **Verify
 * your email address** banner.
 *
 * @example
 * const publish = guarded(verifiedEmailRequired()).mutation(...);
 */
export function verifiedEmailRequired(options: AuthedOptions = {}): Guard {
  return guard('hasVerifiedEmail', (ctx) => {
    if (!isLoggedIn(ctx.user)) return refuseAnonymous(ctx, options);
    if (ctx.runtime.config.auth.emailVerification === 'off' || (ctx.user.email !== null && ctx.user.emailVerified)) return undefined;
    throw new TRPCError({ code: 'FORBIDDEN', message: messageOf(ctx, 'emailUnverified'), cause: new Refusal('EMAIL_UNVERIFIED') });
  });
}

/**
 * Requires a signed-in user with two-factor on (for apps that require it,
 * say, of staff: `guarded(staffRequired(), twoFactorRequired())`). Others get
 * FORBIDDEN with `reason: 'TWO_FACTOR_REQUIRED'`; the client's page twin
 * `<RequireTwoFactor>` sends them to Settings. One indexed read, only on the
 * procedures it guards.
 *
 * @example
 * const payouts = guarded(twoFactorRequired()).query(({ ctx }) => …);
 */
export function twoFactorRequired(options: AuthedOptions = {}): Guard {
  return guard('hasTwoFactor', async (ctx) => {
    if (!isLoggedIn(ctx.user)) return refuseAnonymous(ctx, options);
    if (ctx.runtime.config.twoFactor.enabled && (await twoFactorEnabled(ctx.runtime.db, ctx.user.id))) return;
    throw new TRPCError({ code: 'FORBIDDEN', message: messageOf(ctx, 'twoFactorRequired'), cause: new Refusal('TWO_FACTOR_REQUIRED') });
  });
}
