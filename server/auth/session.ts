import { and, eq, ne, sql } from 'drizzle-orm';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import type { Database } from '../../db/client';
import { preparedFor } from '../../db/prepared';
import { sessionData, sessions, users, type SessionRow } from '../../db/schema/auth';
import { newToken, secretMatches, splitToken } from './secrets';
import { toAuthUser, type LoggedInUser } from './user';
import { preparedForUsers } from './user-model';

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

export interface NewSessionInfo {
  userId: number | null;
  userAgent?: string;
  ip?: string;
}

/** Longest user agent kept for the "your sessions" list. */
const MAX_USER_AGENT = 512;

const statements = preparedFor((db: Database) => ({
  renew: db
    .update(sessions)
    .set({
      lastVerifiedAt: sql`${sql.placeholder('now')}`,
      expiresAt: sql`${sql.placeholder('expiresAt')}`,
    })
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare(),
  remove: db
    .delete(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare(),
  insert: db
    .insert(sessions)
    .values({
      id: sql.placeholder('id'),
      secretHash: sql.placeholder('secretHash'),
      userId: sql.placeholder('userId'),
      createdAt: sql.placeholder('createdAt'),
      lastVerifiedAt: sql.placeholder('lastVerifiedAt'),
      absoluteExpiresAt: sql.placeholder('absoluteExpiresAt'),
      expiresAt: sql.placeholder('expiresAt'),
      userAgent: sql.placeholder('userAgent'),
      ip: sql.placeholder('ip'),
    })
    .prepare(),
}));

/** The session and its user, with the app's own user fields (see `defineUserModel`). */
const lookups = preparedForUsers((db, model) => ({
  model,
  lookup: db
    .select({
      session: sessions,
      user: {
        id: users.id,
        username: users.username,
        email: users.email,
        pendingEmail: users.pendingEmail,
        firstName: users.firstName,
        lastName: users.lastName,
        isActive: users.isActive,
        isStaff: users.isStaff,
        isSuperuser: users.isSuperuser,
        dateJoined: users.dateJoined,
        lastLogin: users.lastLogin,
        ...model.fields,
      },
    })
    .from(sessions)
    .leftJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare(),
}));

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
 * const { token, session } = await createSession(db, settings, { userId: user.id });
 */
export async function createSession(
  db: Database,
  settings: SessionSettings,
  info: NewSessionInfo,
  now: number = Date.now(),
): Promise<{ token: string; session: Session }> {
  const { row, token } = newSessionRow(settings, info, now);
  await statements(db).insert.execute(row);
  return { token, session: stripSecret(row) };
}

/**
 * Validates a token from a cookie. Expected failures (malformed, unknown id,
 * wrong secret, expired, inactive user) return `{ session: null, user: null }`;
 * only database faults throw. An unknown id and a wrong secret cost the same:
 * one lookup, one hash, one constant-time compare.
 */
export async function validateSessionToken(
  db: Database,
  settings: SessionSettings,
  token: string | null | undefined,
  now: number = Date.now(),
): Promise<SessionValidationResult> {
  const parts = splitToken(token);
  if (!parts) return INVALID;
  const s = statements(db);
  const { lookup, model } = lookups(db);
  const [found] = await lookup.execute({ id: parts.id });
  // Hash and compare even when nothing was found, so both paths do the same work.
  const storedHash = found ? new Uint8Array(found.session.secretHash) : DUMMY_HASH;
  const matches = secretMatches(parts.secret, storedHash);
  if (!found || !matches) return INVALID;
  const row = found.session;
  if (now >= row.expiresAt || now >= row.absoluteExpiresAt) {
    await s.remove.execute({ id: row.id });
    return INVALID;
  }
  if (row.userId !== null && !found.user?.isActive) return INVALID;
  let session = stripSecret(row);
  if (now - row.lastVerifiedAt >= settings.renewalIntervalMs) {
    const expiresAt = Math.min(now + settings.inactivityTimeoutMs, row.absoluteExpiresAt);
    await s.renew.execute({ id: row.id, now, expiresAt });
    session = { ...session, lastVerifiedAt: now, expiresAt };
  }
  return { session, user: found.user ? toAuthUser(found.user, model) : null };
}

const DUMMY_HASH = new Uint8Array(32);

/** Deletes one session (its data goes with it). */
export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await statements(db).remove.execute({ id: sessionId });
}

/**
 * Deletes every session of a user, except the one named in `except`.
 * Returns the ids deleted, so callers can tell the identity bus.
 */
export async function invalidateUserSessions(db: Database, userId: number, options: { except?: string } = {}): Promise<string[]> {
  const where = options.except ? and(eq(sessions.userId, userId), ne(sessions.id, options.except)) : eq(sessions.userId, userId);
  const rows = await db.delete(sessions).where(where).returning({ id: sessions.id });
  return rows.map((r) => r.id);
}

/** A user's live sessions, newest first (for a "your sessions" page). */
export async function listUserSessions(db: Database, userId: number, now: number = Date.now()): Promise<Session[]> {
  const rows = await db.select().from(sessions).where(eq(sessions.userId, userId));
  return rows
    .filter((r) => r.expiresAt > now && r.absoluteExpiresAt > now)
    .map(stripSecret)
    .sort((a, b) => b.createdAt - a.createdAt);
}

/**
 * Replaces a session by a new one for `info.userId` (login: defeats fixation).
 * The old session's data is carried over and the old row deleted, in one batch.
 */
export async function rotateSession(
  db: Database,
  settings: SessionSettings,
  oldSessionId: string | null,
  info: NewSessionInfo,
  now: number = Date.now(),
): Promise<{ token: string; session: Session }> {
  const { row, token } = newSessionRow(settings, info, now);
  if (oldSessionId === null) {
    await statements(db).insert.execute(row);
  } else {
    await db.batch([
      db.insert(sessions).values(row),
      db.run(sql`INSERT INTO ${sessionData} (session_id, key, value, updated_at)
        SELECT ${row.id}, key, value, ${now} FROM ${sessionData} WHERE session_id = ${oldSessionId}`),
      db.delete(sessions).where(eq(sessions.id, oldSessionId)),
    ]);
  }
  return { token, session: stripSecret(row) };
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
