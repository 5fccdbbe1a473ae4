import { Elysia } from 'elysia';
import { z } from 'zod';
import { splitToken } from '../auth/secrets';
import { invalidateSession, sessionTag, validateSessionToken, type SessionValidationResult } from '../auth/session';
import { redeemCookieTicket } from '../auth/tickets';
import { routeFailureHandler } from './route-failure';
import type { Runtime } from '../runtime';
import { LOGOUT_COOKIE_ENDPOINT, SESSION_COOKIE_ENDPOINT } from '../state/protocol';
import { AUTH_BODY_LIMIT_BYTES, readBodyWithin } from './body';
import { expiredSessionCookies, secureCookiesOf, sessionCookie, sessionTokenFrom } from '../auth/session-cookie';
import { fetchSiteAllowed, originAllowed } from '../auth/origin';
import { twoFactorCookie, twoFactorCookieFrom } from '../auth/two-factor-cookies';

const NO_STORE = { 'cache-control': 'no-store' };

/** An oversized body is left unread: the connection closes rather than drain it. */
const TOO_LARGE = () => json(413, { error: 'too_large' }, { connection: 'close' });

function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...NO_STORE, ...extra } });
}

/** A session tag (see `sessionTag`) in a logout's body. */
const logoutBody = z.object({
  session: z
    .string()
    .regex(/^[a-z2-7]{16}$/)
    .optional(),
});
const INVALID = Symbol('invalid');
const TOO_BIG = Symbol('too big');

/**
 * The session tag a tab's `POST /auth/logout` names (`clearAuthThenNavigate`
 * sends it), read from a body of at most {@link AUTH_BODY_LIMIT_BYTES}:
 * `null` for a logout without one, {@link INVALID} for a body that is not
 * such an object, {@link TOO_BIG} past the limit.
 */
async function boundSessionOf(request: Request): Promise<string | null | typeof INVALID | typeof TOO_BIG> {
  const body = await readBodyWithin(request, AUTH_BODY_LIMIT_BYTES);
  if (!body.ok) return TOO_BIG;
  if (body.text.trim() === '') return null;
  try {
    const parsed = logoutBody.safeParse(JSON.parse(body.text));
    return parsed.success ? (parsed.data.session ?? null) : INVALID;
  } catch {
    return INVALID;
  }
}

/**
 * The cookie endpoints: `POST /auth/session` swaps a single-use ticket for
 * the HttpOnly session cookie (an anonymous session's ticket never replaces
 * a live signed-in cookie: 409 `signed_in`); `POST /auth/logout` ends the
 * cookie's session and expires it (given `{ session }`, the tag of the
 * session the tab was bound to, only that one: 409 `session_changed` for a
 * newer one). Both refuse cross-site requests (Origin and `Sec-Fetch-Site`).
 */
export function authRoutes(runtime: Runtime) {
  const { config, db, log } = runtime;

  /** The live session (and its user) of the cookie the request carries, if any. */
  async function cookieSession(request: Request, secure: boolean): Promise<SessionValidationResult> {
    const token = sessionTokenFrom(config, request.headers.get('cookie'), secure);
    return token === null ? { session: null, user: null } : validateSessionToken(runtime.sessions, runtime.sessionSettings, token);
  }

  return new Elysia({ name: 'statehouse-auth-routes' })
    .onError(
      routeFailureHandler(log, 'cookie endpoint', (status) =>
        status === 503 ? json(503, { error: 'unavailable' }, { 'retry-after': '1' }) : json(500, { error: 'internal' }),
      ),
    )
    .post(SESSION_COOKIE_ENDPOINT, async ({ request, server }) => {
      const peer = server?.requestIP(request)?.address ?? '';
      if (!originAllowed(config, request, peer) || !fetchSiteAllowed(request)) {
        log.warn('cookie exchange refused: cross-site', { origin: request.headers.get('origin') ?? '(none)' });
        return json(403, { error: 'forbidden_origin' });
      }
      let ticket: unknown;
      try {
        const body = await readBodyWithin(request, AUTH_BODY_LIMIT_BYTES);
        if (!body.ok) return TOO_LARGE();
        ticket = (JSON.parse(body.text) as { ticket?: unknown })?.ticket;
      } catch {
        return json(400, { error: 'bad_request' });
      }
      if (typeof ticket !== 'string') return json(400, { error: 'bad_request' });
      const redeemed = await redeemCookieTicket(db, ticket);
      if (!redeemed) return json(400, { error: 'invalid_ticket' });
      const { session } = await validateSessionToken(runtime.sessions, runtime.sessionSettings, redeemed.sessionToken);
      if (!session) return json(400, { error: 'invalid_ticket' });
      const secure = secureCookiesOf(config, request, peer);
      const current = await cookieSession(request, secure);
      if (session.userId === null && current.user !== null) {
        // A tab that missed the browser's sign-in wrote its session: its fresh
        // anonymous session must not sign the browser out. The tab reconnects
        // instead, and picks up the signed-in identity.
        await invalidateSession(runtime.sessions, session.id);
        return json(409, { error: 'signed_in' });
      }
      if (current.session && current.session.id !== session.id) {
        // The cookie this one replaces belongs to a session the sign-in did not
        // rotate (the tab had none, or another one): one browser, one identity.
        // That session ends and its tabs follow the new cookie.
        await invalidateSession(runtime.sessions, current.session.id);
        await runtime.bus.publish({
          type: 'session-rotated',
          oldSessionId: current.session.id,
          newSessionId: session.id,
          userId: session.userId,
        });
      }
      const headers = new Headers(NO_STORE);
      headers.append('set-cookie', sessionCookie(config, redeemed.sessionToken, secure, session.absoluteExpiresAt));
      // A second step that chose **Trust this device for 30 days**: its cookie, HttpOnly, set here too.
      if (redeemed.deviceToken) headers.append('set-cookie', twoFactorCookie(config, 'device', secure, redeemed.deviceToken));
      // A second step an HTTP sign-in left is answered by now (or moot): its cookie goes.
      if (twoFactorCookieFrom(config, 'second_step', secure, request.headers.get('cookie')) !== null) {
        headers.append('set-cookie', twoFactorCookie(config, 'second_step', secure, null));
      }
      return new Response(null, { status: 204, headers });
    })
    .post(LOGOUT_COOKIE_ENDPOINT, async ({ request, server }) => {
      const peer = server?.requestIP(request)?.address ?? '';
      if (!originAllowed(config, request, peer) || !fetchSiteAllowed(request)) return json(403, { error: 'forbidden_origin' });
      const bound = await boundSessionOf(request);
      if (bound === TOO_BIG) return TOO_LARGE();
      if (bound === INVALID) return json(400, { error: 'bad_request' });
      const secure = secureCookiesOf(config, request, peer);
      const token = sessionTokenFrom(config, request.headers.get('cookie'), secure);
      if (bound !== null) {
        // A tab's logout names the session it was bound to: a newer session the
        // browser got from another tab meanwhile is neither ended nor expired.
        const id = splitToken(token)?.id;
        if (!id) return new Response(null, { status: 204, headers: NO_STORE });
        // A session rotated into another: its cookie is on its way, or here already.
        if (sessionTag(id) !== bound || runtime.rotations.hasTag(bound)) return json(409, { error: 'session_changed' });
      }
      if (token) {
        // Logging out over HTTP works on its own too: end the session if it still lives.
        const { session } = await validateSessionToken(runtime.sessions, runtime.sessionSettings, token);
        if (session) {
          await invalidateSession(runtime.sessions, session.id);
          await runtime.bus.publish({ type: 'sessions-ended', sessionIds: [session.id], reason: 'logout' });
          if (session.userId !== null) {
            const who = { id: session.userId, username: '' };
            const userAgent = request.headers.get('user-agent') ?? '';
            runtime.audit.record({ type: 'logout', actor: who, ip: peer, userAgent, via: 'http' });
          }
        }
      }
      const headers = new Headers(NO_STORE);
      for (const cookie of expiredSessionCookies(config, secure)) headers.append('set-cookie', cookie);
      return new Response(null, { status: 204, headers });
    });
}
