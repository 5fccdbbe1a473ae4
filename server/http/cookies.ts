import type { StatehouseConfig } from '../config';
import { cookieNameFor } from '../runtime';

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
    new Bun.Cookie(name, '', { httpOnly: true, sameSite: 'lax', path: '/', secure: name.startsWith('__Host-') || secure, maxAge: 0 }).serialize(),
  );
}

/** Reads the session token from a `Cookie` header (the `__Host-` name only over https). */
export function sessionTokenFrom(config: StatehouseConfig, cookieHeader: string | null, secure: boolean): string | null {
  if (!cookieHeader) return null;
  const cookies = new Bun.CookieMap(cookieHeader);
  return cookies.get(cookieNameFor(config, secure)) ?? null;
}
