import { TRPCError } from '@trpc/server';
import { lastAuthenticatedAt } from '../auth/session';
import { signInWaysOf } from '../auth/sign-in-ways';
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
 * How the user can confirm it is them: `password` unless a passkey is all
 * they can answer with, `passkey` when they hold one, and `totp` (a code of
 * their authenticator app) while two-factor is on. Read only when a
 * `recentAuth()` refuses: no query on an event that passes.
 */
export async function reauthMethodsOf(ctx: Pick<EventContext, 'db' | 'runtime'>, userId: number): Promise<ReauthMethod[]> {
  const ways = await signInWaysOf(ctx.db, ctx.runtime.config, userId);
  const passkeys = ways ? ways.passkeys : 0;
  const methods: ReauthMethod[] = !ways || ways.password || passkeys === 0 ? ['password'] : [];
  if (passkeys > 0) methods.push('passkey');
  if (ctx.runtime.config.twoFactor.enabled && (await twoFactorEnabled(ctx.db, userId))) methods.push('totp');
  return methods;
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
    return refuseStale(ctx, ctx.user.id);
  });
}

async function refuseStale(ctx: EventContext, userId: number): Promise<never> {
  ctx.actions.add({ type: 'confirmIdentity', methods: await reauthMethodsOf(ctx, userId) });
  throw new TRPCError({ code: 'FORBIDDEN', message: messageOf(ctx, 'reauthRequired'), cause: new Refusal('REAUTH_REQUIRED') });
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
