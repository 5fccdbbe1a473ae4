import type { UserRow } from '../../db/schema';
import { clientIp } from '../auth/origin';
import type { FirstFactor } from '../auth/session';
import { deviceTrusted, issuePendingSecondStep, twoFactorEnabled } from '../auth/two-factor';
import { twoFactorCookie, twoFactorCookieFrom } from '../auth/two-factor-cookies';
import type { Runtime } from '../runtime';
import { safeNextPath } from '../state/redirect';
import { TWO_FACTOR_PATH } from '../state/protocol';

/**
 * `amr` values (RFC 8176) that say the provider checked a second factor:
 * multiple factors, a one-time password, a hardware or software key, a smart
 * card. Believed only with `oauth.trustProviderMfa`.
 */
const MFA_AMR = new Set(['mfa', 'otp', 'hwk', 'swk', 'sc']);

/** Whether a provider's `amr` claim says it checked a second factor. */
export function providerDidMfa(amr: readonly string[]): boolean {
  return amr.some((method) => MFA_AMR.has(method));
}

/**
 * The second step of a sign-in that ended over HTTP (a provider's callback,
 * an emailed link), or `null` when none is due: two-factor is off (in config
 * or for the user), the browser holds a trusted-device cookie of the user's,
 * or (with `oauth.trustProviderMfa`) the provider's `amr` says it checked a
 * second factor itself. When one is due, no session is created: the step is
 * kept in `pending_second_steps` (5 minutes), named by an HttpOnly cookie,
 * and the browser goes to the **Two-factor authentication** page, whose
 * socket carries that cookie on its upgrade and completes the step there.
 */
export async function secondStepOverHttp(
  runtime: Runtime,
  request: Request,
  peer: string,
  user: UserRow,
  options: { method: FirstFactor; to: string; secure: boolean; amr?: readonly string[]; headers?: Headers },
): Promise<Response | null> {
  const { config, db, log } = runtime;
  if (!config.twoFactor.enabled || !(await twoFactorEnabled(db, user.id))) return null;
  if (options.method.startsWith('oauth:') && config.oauth.trustProviderMfa && providerDidMfa(options.amr ?? [])) return null;
  const now = Date.now();
  const cookies = request.headers.get('cookie');
  if (
    config.twoFactor.trustDevice &&
    (await deviceTrusted(db, twoFactorCookieFrom(config, 'device', options.secure, cookies), user.id, now))
  ) {
    return null;
  }
  const token = await issuePendingSecondStep(db, user.id, options.method, now);
  log.info('login: second step pending', { userId: user.id, ip: clientIp(config, request, peer), method: options.method });
  const next = safeNextPath(options.to);
  const headers = options.headers ?? new Headers();
  headers.set('cache-control', 'no-store');
  headers.set('location', next ? `${TWO_FACTOR_PATH}?next=${encodeURIComponent(next)}` : TWO_FACTOR_PATH);
  headers.append('set-cookie', twoFactorCookie(config, 'second_step', options.secure, token));
  return new Response(null, { status: 303, headers });
}
