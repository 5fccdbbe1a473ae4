import type { StatehouseConfig } from '../config';
import { readCookieHeader } from './cookie-header';
import { isHttps } from './origin';

/** The session cookie's name: with `secure`, the `__Host-` prefixed one. */
export function cookieNameFor(config: StatehouseConfig, secure: boolean): string {
  return secure ? `__Host-${config.auth.cookieName}` : config.auth.cookieName;
}

/** Whether cookies get `Secure` and the `__Host-` prefix for this client. */
export function secureCookiesFor(config: StatehouseConfig, requestIsHttps: boolean): boolean {
  return config.auth.secureCookies ?? requestIsHttps;
}

/**
 * Whether this request's session cookie is the `Secure`, `__Host-` one: the
 * one rule every reader and writer of the cookie uses (the socket upgrade,
 * the cookie endpoints, the HTTP identity plugin). `auth.secureCookies`
 * decides when set; otherwise the request's scheme (https directly, or
 * `X-Forwarded-Proto` from a trusted proxy).
 */
export function secureCookiesOf(config: StatehouseConfig, request: Request, peer: string): boolean {
  return secureCookiesFor(config, isHttps(config, request, peer));
}

/**
 * The session cookie: HttpOnly, SameSite=Lax, Path=/, and over https also
 * Secure with the `__Host-` prefix (no Domain: bound to this exact host).
 */
export function sessionCookie(config: StatehouseConfig, token: string, secure: boolean, expiresAt: number): string {
  return new Bun.Cookie(cookieNameFor(config, secure), token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    maxAge: Math.max(0, Math.floor((expiresAt - Date.now()) / 1000)),
  }).serialize();
}

/** `Set-Cookie` values that expire the session cookie (both names where applicable). */
export function expiredSessionCookies(config: StatehouseConfig, secure: boolean): string[] {
  const names = secure ? [cookieNameFor(config, true), cookieNameFor(config, false)] : [cookieNameFor(config, false)];
  return names.map((name) =>
    new Bun.Cookie(name, '', {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: name.startsWith('__Host-') || secure,
      maxAge: 0,
    }).serialize(),
  );
}

/**
 * Reads the session token from a `Cookie` header: only the name in force
 * (with `secure`, the `__Host-` one: a plain cookie anyone could plant is
 * ignored), and none when that name is sent twice (see `readCookieHeader`).
 */
export function sessionTokenFrom(config: StatehouseConfig, cookieHeader: string | null, secure: boolean): string | null {
  if (!cookieHeader) return null;
  return readCookieHeader(cookieHeader).get(cookieNameFor(config, secure)) ?? null;
}
