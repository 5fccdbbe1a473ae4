import { anonymousSessionBudgetOf, createAnonymousSession } from '../auth/anonymous-session';
import { sessionTag, validateSessionToken, type Session, type SessionValidationResult } from '../auth/session';
import { issueCookieTicket } from '../auth/tickets';
import { ANONYMOUS_USER, type AuthUser } from '../auth/user';
import { groupNamesOf } from '../auth/permissions';
import { tooManyRequests } from '../errors';
import type { BackgroundTask } from '../background';
import type { Runtime } from '../runtime';
import { ActionList } from '../state/actions';
import { AUTH_SLICE, type AuthSnapshot, type ClientAction, type Delta } from '../state/protocol';
import { StateAccess } from '../state/state-access';
import type { Connection } from './connection';
import { SocketEventRequest } from './event-request';
import { SessionProxy, type SessionOwner } from './session-proxy';

const INVALID: SessionValidationResult = { session: null, user: null };

/** The largest share of `session.cacheTtlMs` a cached validation may be cut short by. */
export const CACHE_TTL_SPREAD = 0.2;

/**
 * Until when a validation made at `now` is served from the cache:
 * `session.cacheTtlMs`, cut short by up to a fifth at random. Tabs that
 * connect together (a reconnect wave after a deploy) would otherwise
 * revalidate together in every period, a burst of session and grant reads
 * that delays every event queued behind it. The random cut dissolves the
 * burst within a few periods and never lengthens the bound.
 */
export function cacheUntil(now: number, cacheTtlMs: number): number {
  return now + cacheTtlMs - Math.floor(Math.random() * cacheTtlMs * CACHE_TTL_SPREAD);
}

/**
 * The session behind a connection's cookie mirror when it is known without
 * a query: no cookie, or a validation younger than `session.cacheTtlMs`.
 * `null` means ask {@link resolveSession}.
 */
export function cachedSession(runtime: Runtime, conn: Connection, now = Date.now()): SessionValidationResult | null {
  const token = conn.cookies.get(runtime.cookieName(conn.secure));
  if (!token) return INVALID;
  const cached = conn.validated;
  return cached && cached.token === token && now < cached.until ? cached.result : null;
}

/**
 * The session behind a connection's cookie mirror, served from the
 * connection's short cache when fresh. The cache lives at most
 * `session.cacheTtlMs` (1 s by default; see {@link cacheUntil}) and is
 * dropped by the identity bus on every revocation.
 * Events that arrive while a validation runs share it: a tab with several
 * calls in flight reads the session once when the cache expires, not once
 * per call.
 */
export function resolveSession(runtime: Runtime, conn: Connection, now = Date.now()): Promise<SessionValidationResult> {
  const known = cachedSession(runtime, conn, now);
  if (known) return Promise.resolve(known);
  const token = conn.cookies.get(runtime.cookieName(conn.secure))!; // a missing cookie was answered above
  const pending = conn.validating;
  if (pending && pending.token === token && pending.epoch === conn.validationEpoch) return pending.promise;
  const epoch = conn.validationEpoch;
  const promise = validateSessionToken(runtime.db, runtime.sessionSettings, token, now).then((result) => {
    // Kept only if nothing revoked or replaced the session while the query ran.
    if (conn.validationEpoch === epoch && conn.cookies.get(runtime.cookieName(conn.secure)) === token) {
      conn.validated = { token, result, until: cacheUntil(now, runtime.config.session.cacheTtlMs) };
    }
    return result;
  });
  const settled = () => {
    if (conn.validating?.promise === promise) conn.validating = null;
  };
  promise.then(settled, settled);
  conn.validating = { token, epoch, promise };
  return promise;
}

/**
 * `clearAuthThenNavigate` for a tab bound to `boundSessionId`: its tag lets
 * `POST /auth/logout` end and expire that session's cookie only, never a
 * newer one the browser got from another tab meanwhile.
 */
export function clearAuthAction(runtime: Runtime, boundSessionId: string | null): ClientAction {
  const { auth } = runtime.config;
  const to = auth.logoutRedirectUrl ?? auth.loginUrl;
  const preserveStorageKeys = auth.logoutPreserveStorageKeys;
  return boundSessionId === null
    ? { type: 'clearAuthThenNavigate', to, preserveStorageKeys }
    : { type: 'clearAuthThenNavigate', to, preserveStorageKeys, session: sessionTag(boundSessionId) };
}

/** Snapshots per live user object (which lives as long as its validated session), by `snapshotIncludeGroups`. */
const snapshots = [new WeakMap<AuthUser, AuthSnapshot>(), new WeakMap<AuthUser, AuthSnapshot>()] as const;

function snapshotCache(runtime: Runtime): WeakMap<AuthUser, AuthSnapshot> {
  return snapshots[runtime.config.auth.snapshotIncludeGroups ? 1 : 0];
}

/** The `auth` slice for a live user (the same frozen object for the same user object). */
export async function snapshotOf(runtime: Runtime, user: AuthUser): Promise<AuthSnapshot> {
  const cache = snapshotCache(runtime);
  const known = cache.get(user);
  if (known) return known;
  const snapshot: AuthSnapshot = Object.freeze({
    userId: user.id,
    username: user.username,
    // The address the user gave, theirs or pending: a sign-up answers alike either way.
    email: user.email ?? user.pendingEmail ?? '',
    firstName: user.firstName,
    lastName: user.lastName,
    isAuthenticated: user.isAuthenticated,
    isStaff: user.isStaff,
    isSuperuser: user.isSuperuser,
    groupNames:
      runtime.config.auth.snapshotIncludeGroups && user.isAuthenticated ? await groupNamesOf(runtime.db, user) : [],
  });
  cache.set(user, snapshot);
  return snapshot;
}

/** The fields of `next` that differ from `prev`. */
export function snapshotDelta(prev: AuthSnapshot, next: AuthSnapshot): Partial<AuthSnapshot> | null {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(next) as (keyof AuthSnapshot)[]) {
    const a = prev[key];
    const b = next[key];
    const same = Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b;
    if (!same) (out ??= {})[key] = b;
  }
  return out as Partial<AuthSnapshot> | null;
}

/**
 * One event on one connection: binds the live user, session and request,
 * and after the handler collects the delta and the client actions.
 */
export class StateEvent implements SessionOwner {
  user: AuthUser = ANONYMOUS_USER;
  sessionRow: Session | null = null;
  readonly request: SocketEventRequest;
  readonly actions = new ActionList();
  readonly state: StateAccess;
  readonly session: SessionProxy;
  private creating: Promise<string> | null = null;
  /** Work to start once this event has been answered (see {@link afterReply}). */
  deferred: BackgroundTask[] | null = null;

  constructor(
    readonly runtime: Runtime,
    readonly conn: Connection,
    path: string,
    type: string,
  ) {
    // Built on every event: no closures, nothing computed before it is read.
    this.request = new SocketEventRequest(this, conn, path, type);
    this.state = new StateAccess(conn, runtime.slices);
    this.session = new SessionProxy(this);
  }

  get db() {
    return this.runtime.db;
  }

  /**
   * Runs `task` in the background once this event's reply is written: what
   * it does (a lookup, a mail) cannot change how long the reply took.
   */
  afterReply(task: BackgroundTask): void {
    (this.deferred ??= []).push(task);
  }

  currentSessionId(): string | null {
    return this.sessionRow?.id ?? null;
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

  private bind({ session, user }: SessionValidationResult): void {
    const hadUser = this.conn.userId !== null;
    const boundTo = this.conn.sessionId;
    this.sessionRow = session;
    this.user = user ?? ANONYMOUS_USER;
    this.runtime.registry.bind(this.conn, session?.id ?? null, user?.id ?? null);
    if (!session && hadUser) {
      // The session died out of band (expired, deleted in the database): drop
      // the stale cookie everywhere instead of looping through the login page.
      this.dropCookie();
      this.actions.replaceCookieAction(this.clearAuthAction(boundTo));
    }
  }

  /** Switches this connection to a new session (login, signup, reset). */
  adoptSession(token: string, session: Session, user: AuthUser | null): void {
    const name = this.runtime.cookieName(this.conn.secure);
    this.conn.cookies.set(name, token);
    const result: SessionValidationResult = user?.isAuthenticated
      ? { session, user: user as SessionValidationResult['user'] & object }
      : { session, user: null };
    this.conn.validated = { token, result, until: cacheUntil(Date.now(), this.runtime.config.session.cacheTtlMs) };
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

  /** Logout's cookie action, naming the session the tab was bound to (`null`: none). */
  clearAuthAction(boundSessionId: string | null): ClientAction {
    return clearAuthAction(this.runtime, boundSessionId);
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
    return { type: 'syncCookieThenNavigate' as const, ticket, to, session: sessionTag(this.sessionRow.id) };
  }

  /**
   * After the handler: changed slice fields plus the refreshed auth snapshot.
   * Synchronous (no promise) when the user's snapshot is already known.
   */
  collect(): Delta | Promise<Delta> {
    const delta = this.state.collect();
    if (!this.runtime.config.auth.autoSync) return delta;
    const known = snapshotCache(this.runtime).get(this.user);
    if (known) return this.withSnapshot(delta, known);
    return snapshotOf(this.runtime, this.user).then((next) => this.withSnapshot(delta, next));
  }

  private withSnapshot(delta: Delta, next: AuthSnapshot): Delta {
    if (next !== this.conn.authSnapshot) {
      const changed = snapshotDelta(this.conn.authSnapshot, next);
      if (changed) delta[AUTH_SLICE] = changed;
      this.conn.authSnapshot = next;
    }
    return delta;
  }

  private dropCookie(): void {
    this.conn.dropSessionCookie(this.runtime.cookieName);
    this.conn.cookies.delete('csrftoken');
  }

  /**
   * Creates an anonymous session on first write, once per connection, within
   * the address's budget of new sessions (else TOO_MANY_REQUESTS, nothing created).
   */
  ensureSession(): Promise<string> {
    if (this.sessionRow) return Promise.resolve(this.sessionRow.id);
    this.creating ??= (async () => {
      const { runtime, conn } = this;
      const created = await createAnonymousSession({
        db: runtime.db,
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
}
