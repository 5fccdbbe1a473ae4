import type { UserRow } from '../../db/schema';
import { clientIp } from '../auth/origin';
import { validateSessionToken } from '../auth/session';
import { secureCookiesOf, sessionCookie, sessionTokenFrom } from '../auth/session-cookie';
import { sessionTag } from '../auth/session';
import { rotateForSignIn } from '../auth/sign-in-rotation';
import { recordLogin } from '../auth/users';
import type { Runtime } from '../runtime';
import { SIGNED_IN_COOKIE } from '../state/protocol';
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
 * (`rotateForSignIn`), announces the rotation on the bus so every open tab
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
  const { token, session, announce } = await rotateForSignIn(runtime, previous, user.id, {
    userAgent: request.headers.get('user-agent') ?? '',
    ip,
    signInMethod: options.method,
  });
  await announce();
  await recordLogin(runtime.db, user.id);
  runtime.log.info('login', { userId: user.id, ip, method: options.method });
  runtime.audit.record({
    type: 'login.succeeded',
    actor: { id: user.id, username: user.username },
    ip,
    userAgent: request.headers.get('user-agent') ?? '',
    via: 'http',
    detail: { method: options.method },
  });
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
