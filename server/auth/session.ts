import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { SessionRow } from '../../db/schema/auth';
import { newToken, secretMatches, splitToken } from './secrets';
import type { Database } from '../../db/client';
import type { DatabaseWrites, SessionBackend } from './session-backend';
import { toAuthUser, type LoggedInUser } from './user';

/** Session lifetimes; all in milliseconds. */
export interface SessionSettings {
  /** Idle time after which a session dies. */
  inactivityTimeoutMs: number;
  /** The inactivity window is pushed forward at most once per interval. */
  renewalIntervalMs: number;
  /** Hard limit from creation, whatever the activity. */
  absoluteLifetimeMs: number;
}

/** A session as handlers see it: never the secret or its hash. */
export type Session = Omit<SessionRow, 'secretHash'>;

export type SessionValidationResult = { session: Session; user: LoggedInUser | null } | { session: null; user: null };

const INVALID: SessionValidationResult = Object.freeze({ session: null, user: null });

/** The first step of a sign-in: the user's password, a provider (`oauth:<id>`), or an emailed link. */
export type FirstFactor = 'password' | 'email-link' | `oauth:${string}`;

/** What completed a second step (two-factor): a code of the authenticator app, a recovery code, or a passkey. */
export type SecondFactor = 'totp' | 'recovery-code' | 'passkey';

/**
 * How a session's user proved who they are (`sessions.sign_in_method`): a
 * passkey (user-verified, multi-factor on its own), or the first step
 * followed by the second when two-factor asked for one (`password+totp`,
 * `oauth:github+recovery-code`).
 */
export type SignInMethod = 'passkey' | FirstFactor | `${FirstFactor}+${SecondFactor}`;

export interface NewSessionInfo {
  userId: number | null;
  userAgent?: string;
  ip?: string;
  /** How the user signed in (default `password`). */
  signInMethod?: SignInMethod;
}

/** Longest user agent kept for the "your sessions" list. */
const MAX_USER_AGENT = 512;

/** A fresh session row and its token (the only place the secret exists). */
function newSessionRow(settings: SessionSettings, info: NewSessionInfo, now: number): { row: SessionRow; token: string } {
  const { id, token, secretHash } = newToken();
  const absoluteExpiresAt = now + settings.absoluteLifetimeMs;
  const row: SessionRow = {
    id,
    secretHash: Buffer.from(secretHash),
    userId: info.userId,
    createdAt: now,
    lastVerifiedAt: now,
    absoluteExpiresAt,
    expiresAt: Math.min(now + settings.inactivityTimeoutMs, absoluteExpiresAt),
    userAgent: (info.userAgent ?? '').slice(0, MAX_USER_AGENT),
    ip: info.ip ?? '',
    authenticatedAt: now,
    signInMethod: info.signInMethod ?? 'password',
  };
  return { row, token };
}

function stripSecret(row: SessionRow): Session {
  const { secretHash: _secretHash, ...session } = row;
  return session;
}

/**
 * Creates a session and returns its token (`id.secret`). Only the SHA-256 of
 * the secret is stored; the token exists nowhere else once this returns.
 *
 * @example
 * const { token, session } = await createSession(runtime.sessions, settings, { userId: user.id });
 */
export async function createSession(
  backend: SessionBackend,
  settings: SessionSettings,
  info: NewSessionInfo,
  now: number = Date.now(),
): Promise<{ token: string; session: Session }> {
  const { row, token } = newSessionRow(settings, info, now);
  await backend.create(row);
  return { token, session: stripSecret(row) };
}

/**
 * Validates a token from a cookie. Expected failures (malformed, unknown id,
 * wrong secret, expired, inactive or deleted user) return `{ session: null,
 * user: null }`; only storage faults throw. An unknown id and a wrong secret
 * cost the same: one lookup, one hash, one constant-time compare. This is the
 * one place that decides, whichever backend stores the session.
 */
export async function validateSessionToken(
  backend: SessionBackend,
  settings: SessionSettings,
  token: string | null | undefined,
  now: number = Date.now(),
): Promise<SessionValidationResult> {
  const parts = splitToken(token);
  if (!parts) return INVALID;
  const found = await backend.find(parts.id);
  // Hash and compare even when nothing was found, so both paths do the same work.
  const storedHash = found ? new Uint8Array(found.session.secretHash) : DUMMY_HASH;
  const matches = secretMatches(parts.secret, storedHash);
  if (!found || !matches) return INVALID;
  const row = found.session;
  if (now >= row.expiresAt || now >= row.absoluteExpiresAt) {
    await backend.delete(row.id);
    return INVALID;
  }
  const user = found.user !== undefined ? found.user : row.userId === null ? null : await backend.findUser(row.userId);
  if (row.userId !== null && !user?.isActive) {
    // A deleted user's session (a store without the users' foreign key keeps it) goes too.
    if (!user) await backend.delete(row.id);
    return INVALID;
  }
  let session = stripSecret(row);
  if (now - row.lastVerifiedAt >= settings.renewalIntervalMs) {
    const expiresAt = Math.min(now + settings.inactivityTimeoutMs, row.absoluteExpiresAt);
    await backend.renew(row.id, now, expiresAt);
    session = { ...session, lastVerifiedAt: now, expiresAt };
  }
  return { session, user: user ? toAuthUser(user, backend.userModel) : null };
}

const DUMMY_HASH = new Uint8Array(32);

/** Deletes one session (its data goes with it). */
export async function invalidateSession(backend: SessionBackend, sessionId: string): Promise<void> {
  await backend.delete(sessionId);
}

/**
 * Records that a session proved its user again at `now` ("Confirm it's
 * you"): what `recentAuth()` reads.
 */
export async function markSessionAuthenticated(backend: SessionBackend, sessionId: string, now: number = Date.now()): Promise<void> {
  await backend.markAuthenticated(sessionId, now);
}

/** When a session last proved its user: its sign-in, or its last confirmation. */
export function lastAuthenticatedAt(session: Pick<Session, 'authenticatedAt' | 'createdAt'>): number {
  return session.authenticatedAt ?? session.createdAt;
}

/**
 * Deletes every session of a user, except the one named in `except`.
 * Returns the ids deleted, so callers can tell the identity bus.
 */
export function invalidateUserSessions(backend: SessionBackend, userId: number, options: { except?: string } = {}): Promise<string[]> {
  return backend.deleteUserSessions(userId, options.except);
}

/** A user's live sessions, newest first (for a "your sessions" page). */
export async function listUserSessions(backend: SessionBackend, userId: number, now: number = Date.now()): Promise<Session[]> {
  const rows = await backend.listUserSessions(userId);
  return rows
    .filter((r) => r.expiresAt > now && r.absoluteExpiresAt > now)
    .map(stripSecret)
    .sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Writes of the app's database that go with a new session (a sign-in's
 * `last_login`, cookie ticket and audit row), built once its token and id
 * are known.
 */
export interface WritesWithSession {
  db: Database;
  writes(token: string, session: Session): DatabaseWrites;
}

/** What else a {@link rotateSession} does. */
export interface RotationOptions {
  /**
   * A session the new one replaces without carrying anything of it (another
   * user's, on a sign-in): deleted only once the rotation has committed, in
   * its transaction when the backend has `writeWith`.
   */
  ends?: string | null;
  /**
   * Hears the new session once it is stored (with `writeWith`, once the
   * whole transaction has committed), before any write that may still fail.
   */
  stored?(session: Session): void;
}

/**
 * Replaces a session by a new one for `info.userId` (login: defeats fixation).
 * The old session's data is carried over and the old session deleted, in one
 * atomic step of the backend. `alongside`'s writes are committed in the same
 * transaction when the backend keeps its sessions in the app's database
 * (`writeWith`), else in one of their own after it; `written` holds their
 * results.
 */
export async function rotateSession(
  backend: SessionBackend,
  settings: SessionSettings,
  oldSessionId: string | null,
  info: NewSessionInfo,
  now: number = Date.now(),
  alongside?: WritesWithSession,
  options: RotationOptions = {},
): Promise<{ token: string; session: Session; written: readonly unknown[] }> {
  const { row, token } = newSessionRow(settings, info, now);
  const session = stripSecret(row);
  const ends = options.ends ?? null;
  const writes = alongside?.writes(token, session) ?? [];
  if (writes.length > 0 && backend.writeWith) {
    const written = await backend.writeWith({ row, oldId: oldSessionId, now, endsId: ends }, writes);
    options.stored?.(session);
    return { token, session, written };
  }
  if (oldSessionId === null) await backend.create(row);
  else await backend.rotate(oldSessionId, row, now);
  options.stored?.(session);
  const written =
    writes.length > 0 ? ((await alongside!.db.batch(writes as unknown as Parameters<Database['batch']>[0])) as readonly unknown[]) : [];
  if (ends !== null) await backend.delete(ends);
  return { token, session, written };
}

const TAG_BYTES = 10;

/**
 * A short, non-secret tag of a session: names the session a tab is bound to
 * in client actions (`followSession`, `clearAuthThenNavigate`,
 * `syncCookieThenNavigate`) without putting its id in frames. Half of
 * SHA-256 of the id, cut to 80 bits: plenty to tell a browser's
 * sessions apart, and the tag proves nothing to the server.
 *
 * @example
 * sessionTag(session.id); // 'k3x…' (16 characters)
 */
export function sessionTag(sessionId: string): string {
  return encodeBase32LowerCaseNoPadding(sha256(new TextEncoder().encode(sessionId)).subarray(0, TAG_BYTES));
}
