import type { StatehouseConfig } from '../config';
import { readCookieHeader } from './cookie-header';
import { SECOND_STEP_TTL_MS, TRUSTED_DEVICE_TTL_MS } from './two-factor';

/**
 * The two-factor cookies, both HttpOnly, SameSite=Lax, Path=/ and, like the
 * session cookie, `Secure` with the `__Host-` prefix when cookies are secure:
 * `<cookieName>_device` (**Trust this device for 30 days**) and
 * `<cookieName>_second_step` (a second step pending after a sign-in that
 * ended over HTTP; the two-factor page's socket carries it on its upgrade).
 */
export type TwoFactorCookie = 'device' | 'second_step';

/** The name of a two-factor cookie for this client. */
export function twoFactorCookieName(config: Pick<StatehouseConfig, 'auth'>, kind: TwoFactorCookie, secure: boolean): string {
  const name = `${config.auth.cookieName}_${kind}`;
  return secure ? `__Host-${name}` : name;
}

/** A `Set-Cookie` value for a two-factor cookie (`value` null: expire it). */
export function twoFactorCookie(
  config: Pick<StatehouseConfig, 'auth'>,
  kind: TwoFactorCookie,
  secure: boolean,
  value: string | null,
): string {
  const lifetime = kind === 'device' ? TRUSTED_DEVICE_TTL_MS : SECOND_STEP_TTL_MS;
  return new Bun.Cookie(twoFactorCookieName(config, kind, secure), value ?? '', {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    maxAge: value === null ? 0 : Math.floor(lifetime / 1000),
  }).serialize();
}

/** A two-factor cookie's value from a `Cookie` header (only the name in force for this client). */
export function twoFactorCookieFrom(
  config: Pick<StatehouseConfig, 'auth'>,
  kind: TwoFactorCookie,
  secure: boolean,
  cookieHeader: string | null,
): string | null {
  if (!cookieHeader) return null;
  return readCookieHeader(cookieHeader).get(twoFactorCookieName(config, kind, secure)) ?? null;
}
