import { anonymousSessionBudgetOf, createAnonymousSession } from '../auth/anonymous-session';
import { sessionTag, type Session, type SessionValidationResult } from '../auth/session';
import { issueCookieTicket } from '../auth/tickets';
import { ANONYMOUS_USER, type AuthUser } from '../auth/user';
import { tooManyRequests } from '../errors';
import type { Runtime } from '../runtime';
import type { ActionList } from '../state/actions';
import type { ClientAction } from '../state/protocol';
import { safeNextPath } from '../state/redirect';
import type { Connection } from './connection';
import { cachedSession, keepValidation, resolveSession } from './session-cache';
import { SessionProxy, type SessionOwner } from './session-proxy';

/**
 * `clearAuthThenNavigate` for a tab bound to `boundSessionId`: its tag lets
 * `POST /auth/logout` end and expire that session's cookie only, never a
 * newer one the browser got from another tab meanwhile. The tab lands on
 * `to` when it is a path on this site, else on `auth.logoutRedirectUrl`
 * (default: `auth.loginUrl`).
 */
export function clearAuthAction(runtime: Runtime, boundSessionId: string | null, to?: string): ClientAction {
  const { auth } = runtime.config;
  const landing = to === undefined ? null : safeNextPath(to);
  const target = landing ?? auth.logoutRedirectUrl ?? auth.loginUrl;
  const preserveStorageKeys = auth.logoutPreserveStorageKeys;
  return boundSessionId === null
    ? { type: 'clearAuthThenNavigate', to: target, preserveStorageKeys }
    : { type: 'clearAuthThenNavigate', to: target, preserveStorageKeys, session: sessionTag(boundSessionId) };
}

/**
 * Who an event acts for: the user and session behind the connection's cookie
 * mirror, and every change of them during the event (login, logout, a
 * visitor's first session write), each mirrored on the connection at once
 * and told to the browser through a cookie action.
 */
export class EventIdentity implements SessionOwner {
  user: AuthUser = ANONYMOUS_USER;
  sessionRow: Session | null = null;
  /** `ctx.session`: the data of this identity's session, created on its first write. */
  readonly session: SessionProxy = new SessionProxy(this);
  private creating: Promise<string> | null = null;

  constructor(
    readonly runtime: Runtime,
    readonly conn: Connection,
    private readonly actions: ActionList,
  ) {}

  get sessions() {
    return this.runtime.sessions;
  }

  currentSessionId(): string | null {
    return this.sessionRow?.id ?? null;
  }

  written(sessionId: string, key: string): void {
    this.runtime.registry.validations.keyWritten(sessionId, key);
  }

  /**
   * Validates the session from the cookie mirror and binds the identity;
   * synchronous (no promise) when the connection's cache answers.
   */
  begin(): Promise<void> | undefined {
    const cached = cachedSession(this.runtime, this.conn);
    if (cached) {
      this.bind(cached);
      return undefined;
    }
    return resolveSession(this.runtime, this.conn).then((result) => this.bind(result));
  }

  /** Forgets the connection's cached validation and validates again (the user row changed). */
  async reload(): Promise<void> {
    this.conn.forgetValidation();
    this.runtime.registry.validations.identityChanged();
    this.bind(await resolveSession(this.runtime, this.conn));
    this.session.invalidate();
  }

  private bind({ session, user }: SessionValidationResult): void {
    const hadUser = this.conn.userId !== null;
    const boundTo = this.conn.sessionId;
    this.sessionRow = session;
    this.user = user ?? ANONYMOUS_USER;
    if (!session && hadUser && boundTo !== null && this.runtime.rotations.of(boundTo)) {
      // Rotated by another tab, its announcement not here yet: this event runs
      // without the old cookie, and the tab stays bound to the old session so
      // the announcement reaches it (`followSession`). No logout: it would race
      // the rotating tab's cookie exchange.
      this.conn.dropSessionCookie(this.runtime.cookieName);
      return;
    }
    this.runtime.registry.bind(this.conn, session?.id ?? null, user?.id ?? null);
    if (!session && hadUser) {
      // The session died out of band (expired, deleted in the database): drop
      // the stale cookie everywhere instead of looping through the login page.
      this.dropCookie();
      this.actions.replaceCookieAction(clearAuthAction(this.runtime, boundTo));
    }
  }

  /** Switches this connection to a new session (login, signup, reset). */
  adoptSession(token: string, session: Session, user: AuthUser | null): void {
    this.conn.cookies.set(this.runtime.cookieName(this.conn.secure), token);
    const result: SessionValidationResult = user?.isAuthenticated
      ? { session, user: user as SessionValidationResult['user'] & object }
      : { session, user: null };
    keepValidation(this.runtime, this.conn, token, result);
    this.sessionRow = session;
    this.user = user ?? ANONYMOUS_USER;
    this.session.invalidate();
    this.runtime.registry.bind(this.conn, session.id, user?.id ?? null);
  }

  /** Forgets the session on this connection (logout). */
  dropSession(): void {
    this.dropCookie();
    this.sessionRow = null;
    this.user = ANONYMOUS_USER;
    this.session.invalidate();
    this.runtime.registry.bind(this.conn, null, null);
  }

  /** Logout's cookie action, naming the session the tab was bound to (`null`: none), landing on `to`. */
  clearAuthAction(boundSessionId: string | null, to?: string): ClientAction {
    return clearAuthAction(this.runtime, boundSessionId, to);
  }

  /** A ticket for the current session token and the action that redeems it. */
  async cookieSyncAction(to: string | null) {
    const token = this.conn.cookies.get(this.runtime.cookieName(this.conn.secure));
    if (!token || !this.sessionRow) throw new Error('No session to sync');
    const ticket = await issueCookieTicket(this.runtime.db, {
      sessionId: this.sessionRow.id,
      sessionToken: token,
      ttlMs: this.runtime.config.session.ticketTtlMs,
    });
    return this.cookieSyncActionFor(ticket, to);
  }

  /** The action that redeems `ticket`, issued for the current session (a sign-in writes it with the session). */
  cookieSyncActionFor(ticket: string, to: string | null) {
    if (!this.sessionRow) throw new Error('No session to sync');
    return { type: 'syncCookieThenNavigate' as const, ticket, to, session: sessionTag(this.sessionRow.id) };
  }

  /**
   * Creates an anonymous session on first write, once per event, within
   * the address's budget of new sessions (else TOO_MANY_REQUESTS, nothing created).
   */
  ensureSession(): Promise<string> {
    if (this.sessionRow) return Promise.resolve(this.sessionRow.id);
    this.creating ??= (async () => {
      const { runtime, conn } = this;
      const created = await createAnonymousSession({
        sessions: runtime.sessions,
        settings: runtime.sessionSettings,
        limiter: runtime.limiter,
        budget: anonymousSessionBudgetOf(runtime.config.rateLimit),
        ip: conn.ip,
        userAgent: conn.headers.get('user-agent') ?? '',
      });
      if (!created.ok) throw tooManyRequests(created.retryAfter, 'Too many new sessions from this address. Try again later.');
      const { token, session } = created;
      this.adoptSession(token, session, null);
      this.actions.replaceCookieAction(await this.cookieSyncAction(null));
      return session.id;
    })();
    return this.creating;
  }

  private dropCookie(): void {
    this.conn.dropSessionCookie(this.runtime.cookieName);
    this.conn.cookies.delete('csrftoken');
  }
}
