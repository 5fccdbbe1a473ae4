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
import { isUnsafeMethod } from './methods';
import { clientIp, originAllowed } from '../auth/origin';

/** `auth` in HTTP routes: the checks of `ctx.auth` on the socket, for the request's user. */
export class HttpAuth {
  private localized: Messages | null = null;

  constructor(
    private readonly db: Database,
    private readonly config: StatehouseConfig,
    private readonly user: AuthUser,
    private readonly request: EventRequest,
  ) {}

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
        },
        session?.id ?? null,
      );
      const eventRequest: EventRequest = new HttpEventRequest(runtime, request, ip, live, data);
      return { user: live, session: data, request: eventRequest, auth: new HttpAuth(db, config, live, eventRequest) };
    },
  );
}
