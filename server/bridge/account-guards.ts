import { TRPCError } from '@trpc/server';
import { lastAuthenticatedAt } from '../auth/session';
import { signInWaysOf } from '../auth/sign-in-ways';
import { isLoggedIn } from '../auth/user';
import { Refusal } from '../errors';
import type { ReauthMethod } from '../state/protocol';
import { guard, messageOf, refuseAnonymous, type AuthedOptions, type Guard } from './guards';
import type { EventContext } from './trpc';

export interface RecentAuthOptions extends AuthedOptions {
  /** How long a sign-in or a confirmation counts as recent (default: `auth.reauthWindowMs`, 10 minutes). */
  maxAgeMs?: number;
}

/**
 * How the user can confirm it is them: `passkey` when they hold one, and
 * `password` unless a passkey is all they can answer with. Read only when a
 * `recentAuth()` refuses: no query on an event that passes.
 */
export async function reauthMethodsOf(ctx: Pick<EventContext, 'db' | 'runtime'>, userId: number): Promise<ReauthMethod[]> {
  const ways = await signInWaysOf(ctx.db, ctx.runtime.config, userId);
  if (!ways || ways.passkeys === 0) return ['password'];
  return ways.password ? ['password', 'passkey'] : ['passkey'];
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
