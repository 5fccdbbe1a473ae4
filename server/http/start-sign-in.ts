import type { UserRow } from '../../db/schema';
import { clientIp } from '../auth/origin';
import { validateSessionToken } from '../auth/session';
import { secureCookiesOf, sessionCookie, sessionTokenFrom } from '../auth/session-cookie';
import { sessionTag } from '../auth/session';
import { rotateForSignIn } from '../auth/sign-in-rotation';
import { recordLoginUpdate } from '../auth/users';
import type { AuditEntry } from '../auth/audit';
import type { Logger } from '../log';
import type { Runtime } from '../runtime';
import { SIGNED_IN_COOKIE } from '../state/protocol';
import { routeFailureHandler } from './route-failure';
import { secondStepOverHttp } from './second-step-over-http';

/** How a sign-in over HTTP proved who it is (logged, and recorded on the session). */
export type HttpSignInMethod = `oauth:${string}` | 'email-link';

/** How long the landing page has to read {@link SIGNED_IN_COOKIE}. */
const SIGNED_IN_COOKIE_SECONDS = 60;

/**
 * Starts the session of a sign-in that ends over HTTP (a provider's callback,
 * an emailed link): the one place both call once they know the user. For a
 * user with two-factor on it creates no session: it keeps a pending second
 * step and sends the browser to the **Two-factor authentication** page
 * instead (`secondStepOverHttp`).
 *
 * It rotates the browser's session (the one its cookie names, if still
 * live) into a new one for `user`, exactly as a socket login does
 * (`rotateForSignIn`), with the user's `last_login` and the
 * `login.succeeded` audit row in the same transaction (all or nothing, with
 * sessions in libSQL), announces the rotation on the bus so every open tab
 * of the old session follows the new cookie, and answers a 303 to `to` that
 * sets the HttpOnly session cookie and {@link SIGNED_IN_COOKIE}.
 *
 * @example
 * return startSignIn(runtime, request, peer, user, { method: 'oauth:github', to: flow.next ?? config.auth.loginRedirectUrl, headers });
 */
export async function startSignIn(
  runtime: Runtime,
  request: Request,
  peer: string,
  user: UserRow,
  options: { method: HttpSignInMethod; to: string; headers?: Headers; amr?: readonly string[] },
): Promise<Response> {
  const { config } = runtime;
  const secure = secureCookiesOf(config, request, peer);
  const secondStep = await secondStepOverHttp(runtime, request, peer, user, { ...options, secure });
  if (secondStep) return secondStep;
  const ip = clientIp(config, request, peer);
  const presented = sessionTokenFrom(config, request.headers.get('cookie'), secure);
  const previous = presented ? (await validateSessionToken(runtime.sessions, runtime.sessionSettings, presented)).session : null;
  const { db, audit } = runtime;
  const userAgent = request.headers.get('user-agent') ?? '';
  const at = Date.now();
  const entry: AuditEntry = {
    type: 'login.succeeded',
    actor: { id: user.id, username: user.username },
    ip,
    userAgent,
    via: 'http',
    detail: { method: options.method },
  };
  // One transaction (with sessions in libSQL), as a sign-in on the socket:
  // `last_login`, the session and the audit row are all there, or none is.
  const { token, session, written, announce } = await rotateForSignIn(
    runtime,
    previous,
    user.id,
    { userAgent, ip, signInMethod: options.method },
    { db, writes: () => [recordLoginUpdate(db, user.id, at), audit.insert(entry, at)] },
  );
  await announce();
  audit.committed(written.at(-1));
  runtime.log.info('login', { userId: user.id, ip, method: options.method });
  const headers = options.headers ?? new Headers();
  headers.set('cache-control', 'no-store');
  headers.set('location', options.to);
  headers.append('set-cookie', sessionCookie(config, token, secure, session.absoluteExpiresAt));
  headers.append(
    'set-cookie',
    new Bun.Cookie(SIGNED_IN_COOKIE, sessionTag(session.id), {
      sameSite: 'lax',
      path: '/',
      secure,
      maxAge: SIGNED_IN_COOKIE_SECONDS,
    }).serialize(),
  );
  return new Response(null, { status: 303, headers });
}

/**
 * The `onError` of the routes that end in {@link startSignIn}: a sign-in whose
 * transaction failed (or any other fault) answers a bare 500 (503 while the
 * database is busy or away), never the error's text.
 */
export function signInRouteFailed(log: Logger, what: string) {
  const headers = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
  return routeFailureHandler(log, what, (status) =>
    status === 503
      ? new Response('Try again in a moment.', { status, headers: { ...headers, 'retry-after': '1' } })
      : new Response('Sign-in failed. Try again.', { status, headers }),
  );
}
