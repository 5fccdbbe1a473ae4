import type { BatchItem } from 'drizzle-orm/batch';
import type { SessionRow } from '../../db/schema';
import type { SessionUserRow } from './session-user';
import type { StatehouseConfig } from '../config';
import type { UserModel } from './user-model';

/** The session storages Statehouse ships (`session.backend`). */
export type SessionBackendName = StatehouseConfig['session']['backend'];

/** A stored session, and its user when the backend reads both at once. */
export interface StoredSession {
  session: SessionRow;
  /**
   * The session's user, when read with the session (the libSQL backend joins
   * it): `null` for an anonymous session or a user that no longer exists.
   * Left out, validation reads it with `findUser`, only once the secret
   * matched: a wrong secret costs what an unknown id costs.
   */
  user?: SessionUserRow | null;
}

/** One session-data key as stored: its value is JSON text. */
export interface StoredSessionKey {
  key: string;
  value: string;
}

/** What one step of {@link SessionBackend.deleteExpired} deleted. */
export interface ExpiredSessionsDeleted {
  sessions: number;
  /** The keys those sessions held. */
  sessionData: number;
}

/** Statements of the app's libSQL database, for one transaction (drizzle's `db.batch`). */
export type DatabaseWrites = readonly BatchItem<'sqlite'>[];

/**
 * A new session: created (`oldId` null), or rotated from `oldId` as
 * {@link SessionBackend.rotate} does; `endsId` names a session it replaces
 * without carrying anything of it (another user's), deleted in the same
 * transaction.
 */
export interface SessionWrite {
  row: SessionRow;
  oldId: string | null;
  now: number;
  endsId?: string | null;
}

/**
 * Where sessions and their per-key data are kept: the libSQL tables by
 * default, or Redis (`session.backend`). A backend stores and finds; it never
 * decides. The token format, the hash comparison, expiry, renewal and the
 * inactive-user rule live above it (`session.ts`), as does the session data's
 * validation and encoding (`session-data.ts`), so two backends cannot
 * disagree about who is signed in. A backend never sees a token or a secret:
 * only ids and the secret's SHA-256.
 *
 * Every backend passes the same tests (`tests/server/auth/session*.test.ts`,
 * the housekeeping test), run against each.
 */
export interface SessionBackend {
  readonly name: SessionBackendName;
  /** Whose fields a session's user is read with (users live in libSQL, whichever backend keeps the sessions). */
  readonly userModel: UserModel;
  /** Stores a new session. A row whose `expiresAt` has passed may be dropped at once. */
  create(row: SessionRow): Promise<void>;
  /** The session with this id, expired or not (validation decides), perhaps with its user; `null` when there is none. */
  find(id: string): Promise<StoredSession | null>;
  /** A session's user by id (users live in libSQL whichever backend keeps sessions); `null` when it no longer exists. */
  findUser(userId: number): Promise<SessionUserRow | null>;
  /** Moves the inactivity expiry of a session (a validation past the renewal interval); nothing when it is gone. */
  renew(id: string, lastVerifiedAt: number, expiresAt: number): Promise<void>;
  /** Records a new proof of the session's user at `at` (`authenticatedAt`); nothing when it is gone. */
  markAuthenticated(id: string, at: number): Promise<void>;
  /** Deletes one session and its data; nothing when it is gone. */
  delete(id: string): Promise<void>;
  /** Deletes every session of a user (but `except`) with their data; returns the ids deleted. */
  deleteUserSessions(userId: number, except?: string): Promise<string[]>;
  /** Every stored session of a user, in no particular order (expired ones may be among them). */
  listUserSessions(userId: number): Promise<SessionRow[]>;
  /**
   * In one atomic step: stores `row`, copies the data of `oldId` to it and
   * deletes `oldId` with its data. Nobody sees the new session without its
   * data, or both sessions, or neither.
   */
  rotate(oldId: string, row: SessionRow, now: number): Promise<void>;
  /**
   * Only a backend that keeps its sessions in the app's libSQL database:
   * `create` or `rotate` (and the delete of `endsId`), and `alongside`
   * (statements of that database), in one transaction; resolves with the
   * results of `alongside`. A sign-in
   * commits its own rows (`last_login`, the cookie ticket, the audit row)
   * with its session through it; without it they are committed in a
   * transaction of their own once the session is stored.
   */
  writeWith?(write: SessionWrite, alongside: DatabaseWrites): Promise<readonly unknown[]>;
  /** Every key of a session's data. */
  readData(sessionId: string): Promise<readonly StoredSessionKey[]>;
  /**
   * Writes one key (other keys untouched: two writers of different keys both
   * land). Rejects, storing nothing, when the session no longer exists
   * (libSQL: its foreign-key fault; Redis: {@link SessionEndedError}).
   */
  writeKey(sessionId: string, key: string, json: string, now: number): Promise<void>;
  /** Deletes one key; nothing when it is not there. */
  deleteKey(sessionId: string, key: string): Promise<void>;
  /**
   * Deletes sessions expired by `now` with their data, at most `limit` rows
   * per statement, yielding after each so the caller can let other work run
   * or stop. A store that expires entries itself (Redis) yields nothing.
   */
  deleteExpired(now: number, limit: number): AsyncIterable<ExpiredSessionsDeleted>;
  /** Lets go of what the backend opened (a Redis connection); the libSQL backend borrows its database and closes nothing. */
  close(): Promise<void>;
}

/** Raised when a session-data write names a session that no longer exists (it ended, or expired, meanwhile). */
export class SessionEndedError extends Error {
  override readonly name = 'SessionEndedError';
  constructor() {
    super('The session ended before this write: nothing was stored');
  }
}
