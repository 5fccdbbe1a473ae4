import { Elysia } from 'elysia';
import type { Database } from '../../db/client';
import { anonymousSessionBudgetOf } from '../auth/anonymous-session';
import { groupHeld, permissionHeld } from '../auth/permissions';
import { validateSessionToken } from '../auth/session';
import { ANONYMOUS_USER, type AuthUser } from '../auth/user';
import type { EventRequest } from '../request';
import type { StatehouseConfig } from '../config';
import { messagesFor, type Messages } from '../i18n/catalog';
import type { Runtime } from '../runtime';
import { secureCookiesOf, sessionCookie, sessionTokenFrom } from '../auth/session-cookie';
import { HttpEventRequest, HttpSession } from './http-request';
import { runInEvent, type CurrentScope } from '../bridge/accessors';
import { NO_SESSION, type SessionData } from '../auth/session-store';
import { isUnsafeMethod } from './methods';
import { clientIp, originAllowed } from '../auth/origin';

/** `auth` in HTTP routes: the checks of `ctx.auth` on the socket, for the request's user. */
export class HttpAuth {
  private localized: Messages | null = null;
  private scope: CurrentScope | null = null;

  constructor(
    private readonly db: Database,
    private readonly config: StatehouseConfig,
    private readonly user: AuthUser,
    private readonly request: EventRequest,
    private readonly session: SessionData = NO_SESSION,
  ) {}

  /**
   * Runs `fn(...args)` with this request's identity as the current one:
   * inside it `currentUser()`, `currentSession()`, `currentRequest()`,
   * `request` and `requireLoginUser()` answer as in a socket event. What
   * {@link withCurrent} does for a whole route.
   *
   * @example
   * .post('/api/checkout', ({ auth }) => auth.runAsCurrent(checkout))
   */
  runAsCurrent<A extends unknown[], T>(fn: (...args: A) => T, ...args: A): T {
    this.scope ??= { user: this.user, session: this.session, request: this.request, runtime: { db: this.db } };
    return runInEvent(this.scope, fn, ...args);
  }

  hasPerm(perm: string): Promise<boolean> {
    return permissionHeld(this.db, this.user, perm);
  }

  /** Group membership (superusers pass). */
  hasGroup(name: string): Promise<boolean> {
    return groupHeld(this.db, this.user, name);
  }

  /**
   * Tells `hooks.onPermissionDenied` that a guard refused this request, as
   * the socket guards do (`perm`: the permission, `staff`, `superuser` or
   * `group:<name>`; `path`: the HTTP path). Client actions it answers are
   * not used: a refusal over HTTP is JSON, with no actions to run.
   */
  async reportDenied(reason: string): Promise<void> {
    await this.config.hooks.onPermissionDenied?.({ perm: reason, userId: this.user.id, path: this.request.path });
  }

  /** The auth messages in the request's language, `auth.messages` applied. */
  get messages(): Messages {
    return (this.localized ??= messagesFor(this.request.languageCode, this.config.auth.messages));
  }
}

/**
 * One identity over HTTP too: derives `user`, `session` (written only by
 * methods other than GET, HEAD and OPTIONS),
 * `request` (an `EventRequest`; the Fetch request is `request.fetchRequest`)
 * and `auth` for the routes of the app that uses it, from the same session
 * cookie the socket reads. Any method but GET, HEAD and OPTIONS (POST, PUT,
 * PATCH, DELETE, PROPFIND, …) without an allowed `Origin` is refused with 403
 * before the session is looked at.
 *
 * @example
 * const api = new Elysia()
 *   .use(identity(runtime))
 *   .get('/api/me', ({ user }) => ({ username: user.username }), { beforeHandle: authedRoute() });
 */
export function identity(runtime: Runtime) {
  const { config, db, log, sessions, sessionSettings } = runtime;
  const anonymousSessionBudget = anonymousSessionBudgetOf(config.rateLimit);
  return new Elysia({ name: 'statehouse-identity' }).derive(
    { as: 'scoped' },
    async function deriveIdentity({ request, server, set, status }) {
      const peer = server?.requestIP(request)?.address ?? '';
      if (isUnsafeMethod(request.method) && !originAllowed(config, request, peer)) {
        log.warn('http request refused: origin not allowed', { method: request.method, origin: request.headers.get('origin') ?? '(none)' });
        return status(403, { error: 'forbidden_origin', message: 'Cross-origin requests are not allowed.' });
      }
      const secure = secureCookiesOf(config, request, peer);
      const token = sessionTokenFrom(config, request.headers.get('cookie'), secure);
      const { session, user } = token ? await validateSessionToken(sessions, sessionSettings, token) : { session: null, user: null };
      const live: AuthUser = user ?? ANONYMOUS_USER;
      const ip = clientIp(config, request, peer);
      const data = new HttpSession(
        {
          sessions,
          sessionSettings,
          writable: isUnsafeMethod(request.method),
          userAgent: request.headers.get('user-agent') ?? '',
          ip,
          limiter: runtime.limiter,
          anonymousSessionBudget,
          setCookie(newToken, expiresAt) {
            set.headers['set-cookie'] = sessionCookie(config, newToken, secure, expiresAt);
          },
          written(sessionId, key) {
            runtime.registry.validations.keyWritten(sessionId, key);
          },
        },
        session?.id ?? null,
      );
      const eventRequest: EventRequest = new HttpEventRequest(runtime, request, ip, live, data);
      return { user: live, session: data, request: eventRequest, auth: new HttpAuth(db, config, live, eventRequest, data) };
    },
  );
}

/**
 * Wraps an HTTP route's handler so that it, and everything it calls, runs
 * with the route's identity as the current one: `currentUser()`,
 * `currentSession()`, `currentRequest()`, `request` and `requireLoginUser()`
 * answer as in a socket event. Only the routes wrapped pay for it (one
 * scope object and one `AsyncLocalStorage.run`); elsewhere those accessors
 * answer the anonymous user and an empty request, as outside any event.
 * Needs `identity(runtime)` on the app.
 *
 * @example
 * new Elysia()
 *   .use(identity(runtime))
 *   .get('/api/cart', withCurrent(async () => ({ items: await currentSession().get('cart', []) })));
 */
export function withCurrent<C extends { auth: HttpAuth }, R>(handler: (ctx: C) => R): (ctx: C) => R {
  return function handleWithCurrent(ctx: C): R {
    return ctx.auth.runAsCurrent(handler, ctx);
  };
}
