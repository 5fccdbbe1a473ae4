import { createAnonymousSession } from '../auth/anonymous-session';
import { readCookieHeader } from '../auth/cookie-header';
import type { IpBudget, RateLimiter } from '../auth/rate-limit';
import type { SessionSettings } from '../auth/session';
import type { SessionBackend } from '../auth/session-backend';
import { SessionDataError } from '../auth/session-data';
import { SessionStore, type SessionOwner } from '../auth/session-store';
import type { AuthUser } from '../auth/user';
import { LazyEventRequest } from '../bridge/event-request';
import type { Runtime } from '../runtime';

/** What an {@link HttpSession} needs to create a session for a visitor without one. */
export interface HttpSessionSource {
  sessions: SessionBackend;
  sessionSettings: SessionSettings;
  /** Unsafe methods only (any but GET, HEAD, OPTIONS): they passed the Origin check. */
  writable: boolean;
  userAgent: string;
  ip: string;
  /** Where the address's budget of new anonymous sessions is kept, and its size. */
  limiter: RateLimiter;
  anonymousSessionBudget: IpBudget;
  /** Sets the new session's cookie on the response. */
  setCookie(token: string, expiresAt: number): void;
  /** Told after each key written or deleted (see `SessionOwner.written`). */
  written?(sessionId: string, key: string): void;
}

/**
 * Thrown by `session.set` when the visitor has no session and its address has
 * spent its budget of new ones: nothing was created. Elysia answers it with
 * 429, `Retry-After` and `{ error: 'too_many_requests' }`.
 */
export class TooManyNewSessions extends Error {
  override readonly name = 'TooManyNewSessions';
  readonly status = 429;
  constructor(readonly retryAfter: number) {
    super('Too many new sessions from this address. Try again later.');
  }

  toResponse(): Response {
    return Response.json(
      { error: 'too_many_requests', message: this.message, retryAfter: this.retryAfter },
      { status: 429, headers: { 'retry-after': String(this.retryAfter) } },
    );
  }
}

/**
 * `session` in HTTP routes: the same session as the socket's, through the
 * same store as `ctx.session` (`SessionStore`). Its keys are read once, on
 * first use. Writes need an unsafe method (any but GET, HEAD and OPTIONS),
 * which `identity()` has Origin-checked: a GET that changed the session could
 * be triggered from another site. A visitor's first write creates an
 * anonymous session and sets its cookie on the response; open tabs of that
 * browser pick it up when they reconnect. Past its address's budget of new
 * sessions that write throws {@link TooManyNewSessions} (a 429) instead.
 *
 * @example
 * const theme = await session.get<string>('theme', 'light');
 * await session.set('theme', 'dark'); // in a POST route
 */
export class HttpSession extends SessionStore {
  constructor(source: HttpSessionSource, sessionId: string | null) {
    super(new HttpSessionOwner(source, sessionId));
  }
}

/** The HTTP request behind an {@link HttpSession}: its session id, the write check, a session made on demand. */
class HttpSessionOwner implements SessionOwner {
  private creating: Promise<string> | null = null;

  constructor(
    private readonly source: HttpSessionSource,
    /** The session id, or `null` for a visitor without a session. */
    private sessionId: string | null,
  ) {}

  get sessions(): SessionBackend {
    return this.source.sessions;
  }

  currentSessionId(): string | null {
    return this.sessionId;
  }

  written(sessionId: string, key: string): void {
    this.source.written?.(sessionId, key);
  }

  /** Throws `SessionDataError` on a GET, HEAD or OPTIONS. */
  checkWritable(): void {
    if (!this.source.writable) {
      throw new SessionDataError(
        'Session writes over HTTP need a method other than GET, HEAD or OPTIONS (POST, PUT, PATCH, DELETE, …): a GET must not change state.',
      );
    }
  }

  /** Creates an anonymous session within the address's budget (else `TooManyNewSessions`) and sets its cookie. */
  ensureSession(): Promise<string> {
    if (this.sessionId) return Promise.resolve(this.sessionId);
    this.creating ??= (async () => {
      const { sessions, sessionSettings, limiter, anonymousSessionBudget, userAgent, ip } = this.source;
      const created = await createAnonymousSession({
        sessions,
        settings: sessionSettings,
        limiter,
        budget: anonymousSessionBudget,
        ip,
        userAgent,
      });
      if (!created.ok) throw new TooManyNewSessions(created.retryAfter);
      const { token, session } = created;
      this.source.setCookie(token, session.absoluteExpiresAt);
      this.sessionId = session.id;
      return session.id;
    })();
    return this.creating;
  }
}

/**
 * `request` in HTTP routes: the {@link EventRequest} of socket events
 * (`LazyEventRequest`), built from the Fetch `Request` (kept as
 * `fetchRequest`). A failing context processor throws
 * `ContextProcessorError` (a 500).
 */
export class HttpEventRequest extends LazyEventRequest {
  constructor(
    runtime: Runtime,
    readonly fetchRequest: Request,
    ip: string,
    user: AuthUser,
    session: HttpSession,
  ) {
    const url = new URL(fetchRequest.url);
    super({ runtime, user, session }, url.pathname, url.search, fetchRequest.method, ip, url.pathname);
  }

  get headers(): Headers {
    return this.fetchRequest.headers;
  }

  get cookies(): Readonly<Record<string, string>> {
    return (this.memo.cookies ??= Object.freeze(Object.fromEntries(readCookieHeader(this.fetchRequest.headers.get('cookie')))));
  }

  protected cookie(name: string): string | undefined {
    return this.cookies[name];
  }

  protected acceptLanguage(): string | null {
    return this.fetchRequest.headers.get('accept-language');
  }
}
