import { validateSessionToken, type SessionValidationResult } from '../auth/session';
import type { Runtime } from '../runtime';
import type { Connection } from './connection';

const INVALID: SessionValidationResult = { session: null, user: null };

/** The largest share of `session.cacheTtlMs` a cached validation may be cut short by. */
export const CACHE_TTL_SPREAD = 0.2;

/** A validated session kept for a short while, so most events touch no table. */
export interface CachedValidation {
  token: string;
  result: SessionValidationResult;
  until: number;
  /** The cookie mirror's `version` when `token` was last read from it. */
  mirrorVersion: number;
}

/**
 * A connection's validated-session cache: the last validation and the one
 * under way. A connection holds one only while it has something to keep
 * (`connection.sessions`); forgetting drops the object, so a validation
 * begun before is neither shared nor kept (it finds another object, or none).
 */
export class SessionCache {
  validated: CachedValidation | null = null;
  /** The validation in flight: events arriving meanwhile share it instead of each querying. */
  validating: { token: string; promise: Promise<SessionValidationResult> } | null = null;
}

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
  const cached = conn.sessions?.validated;
  // The mirror did not change since the token was read: no cookie lookup (this runs on every event).
  if (cached && cached.mirrorVersion === conn.cookies.version) return now < cached.until ? cached.result : null;
  const token = conn.cookies.get(runtime.cookieName(conn.secure));
  if (!token) return INVALID;
  if (!cached || cached.token !== token) return null;
  cached.mirrorVersion = conn.cookies.version;
  return now < cached.until ? cached.result : null;
}

/**
 * The session behind a connection's cookie mirror, served from the
 * connection's short cache when fresh. The cache lives at most
 * `session.cacheTtlMs` (1 s by default; see {@link cacheUntil}) and is
 * dropped by the identity bus on every revocation.
 * Events that arrive while a validation runs share it: a tab with several
 * calls in flight reads the session once when the cache expires, not once
 * per call. So do the other connections of the same session within that
 * period (`shared-validations.ts`): the tabs of a browser, and a reconnect
 * wave, read each session once.
 */
export function resolveSession(runtime: Runtime, conn: Connection, now = Date.now()): Promise<SessionValidationResult> {
  const known = cachedSession(runtime, conn, now);
  if (known) return Promise.resolve(known);
  const token = conn.cookies.get(runtime.cookieName(conn.secure))!; // a missing cookie was answered above
  const cache = (conn.sessions ??= new SessionCache());
  const pending = cache.validating;
  if (pending && pending.token === token) return pending.promise;
  const { cacheTtlMs } = runtime.config.session;
  const promise = runtime.registry.validations
    .validate(
      token,
      now,
      () => validateSessionToken(runtime.sessions, runtime.sessionSettings, token, now),
      (startedAt) => cacheUntil(startedAt, cacheTtlMs),
    )
    .then(({ result, until }) => {
      // Kept only if nothing revoked or replaced the session while the query ran.
      if (conn.sessions === cache && conn.cookies.get(runtime.cookieName(conn.secure)) === token) {
        cache.validated = { token, result, until, mirrorVersion: conn.cookies.version };
      }
      return result;
    });
  const settled = () => {
    if (cache.validating?.promise === promise) cache.validating = null;
  };
  promise.then(settled, settled);
  cache.validating = { token, promise };
  return promise;
}

/** Keeps `result` as the validation of `token` (a login, a sign-up: the session was just made). */
export function keepValidation(runtime: Runtime, conn: Connection, token: string, result: SessionValidationResult): void {
  // A fresh cache: a validation still under way for the old token is not shared.
  const cache = (conn.sessions = new SessionCache());
  cache.validated = {
    token,
    result,
    until: cacheUntil(Date.now(), runtime.config.session.cacheTtlMs),
    mirrorVersion: conn.cookies.version,
  };
}
