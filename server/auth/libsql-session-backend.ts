import type { InArgs, ResultSet } from '@libsql/client';
import { and, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { preparedFor } from '../../db/prepared';
import { yieldToEvents } from '../background';
import { sessionData, sessions, users, type SessionRow } from '../../db/schema/auth';
import type {
  DatabaseWrites,
  ExpiredSessionsDeleted,
  SessionBackend,
  SessionWrite,
  StoredSession,
  StoredSessionKey,
} from './session-backend';
import { findSessionUser, sessionUserColumnsOf, type SessionUserRow } from './session-user';
import { DEFAULT_USER_MODEL, preparedForUsers, type UserModel } from './user-model';

/** What Drizzle's own `batch` does with each query (`_prepare`, `getQuery`, `mapResult`), for a batch run in two turns. */
interface PreparingQuery {
  _prepare(): { getQuery(): { sql: string; params: unknown[] }; mapResult(result: ResultSet, isFromBatch: boolean): unknown };
}

/** The per-event lookup, renewal and data statements, built once per database. */
/** The session and its user in one statement, with the app's own user fields (see `defineUserModel`). */
const lookups = preparedForUsers((db, model) => ({
  lookup: db
    .select({ session: sessions, user: sessionUserColumnsOf(model) })
    .from(sessions)
    .leftJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare(),
}));

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
      authenticatedAt: sql.placeholder('authenticatedAt'),
      signInMethod: sql.placeholder('signInMethod'),
    })
    .prepare(),
  readData: db
    .select({ key: sessionData.key, value: sessionData.value })
    .from(sessionData)
    .where(eq(sessionData.sessionId, sql.placeholder('sessionId')))
    .prepare(),
  upsertKey: db
    .insert(sessionData)
    .values({
      sessionId: sql.placeholder('sessionId'),
      key: sql.placeholder('key'),
      value: sql.placeholder('value'),
      updatedAt: sql.placeholder('now'),
    })
    .onConflictDoUpdate({
      target: [sessionData.sessionId, sessionData.key],
      set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
    })
    .prepare(),
  removeKey: db
    .delete(sessionData)
    .where(and(eq(sessionData.sessionId, sql.placeholder('sessionId')), eq(sessionData.key, sql.placeholder('key'))))
    .prepare(),
}));

/** The keys of expired sessions, at most `limit` rows: one session may hold many. */
async function deleteExpiredDataBatch(db: Database, now: number, limit: number): Promise<number> {
  const result = await db.run(sql`DELETE FROM ${sessionData} WHERE rowid IN (
    SELECT d.rowid FROM ${sessionData} AS d JOIN ${sessions} AS s ON s.id = d.session_id
    WHERE s.expires_at <= ${now} OR s.absolute_expires_at <= ${now} LIMIT ${limit})`);
  return result.rowsAffected;
}

/** Expired sessions, at most `limit` of them. */
async function deleteExpiredSessionBatch(db: Database, now: number, limit: number): Promise<number> {
  const result = await db.run(sql`DELETE FROM ${sessions} WHERE ${sessions.id} IN (
    SELECT ${sessions.id} FROM ${sessions}
    WHERE ${sessions.expiresAt} <= ${now} OR ${sessions.absoluteExpiresAt} <= ${now} LIMIT ${limit})`);
  return result.rowsAffected;
}

/**
 * Sessions in the libSQL tables `sessions` and `session_data` (one row per
 * key), next to the users: the default. The per-event lookup is one prepared
 * statement that joins the user; a key is one upsert; a session's data goes
 * with its row (foreign key, `ON DELETE CASCADE`), and so do a deleted
 * user's sessions. Housekeeping deletes expired rows.
 *
 * @example
 * const sessions = createLibsqlSessionBackend(database.db);
 * await createSession(sessions, settings, { userId: user.id });
 */
export function createLibsqlSessionBackend(db: Database, userModel: UserModel = DEFAULT_USER_MODEL): SessionBackend {
  const s = statements(db);
  /** The new session, the old one's data copied to it, the old one deleted. */
  const rotation = (oldId: string, row: SessionRow, now: number) =>
    [
      db.insert(sessions).values(row),
      db.run(sql`INSERT INTO ${sessionData} (session_id, key, value, updated_at)
          SELECT ${row.id}, key, value, ${now} FROM ${sessionData} WHERE session_id = ${oldId}`),
      db.delete(sessions).where(eq(sessions.id, oldId)),
    ] as const;
  return {
    name: 'libsql',
    userModel,
    async create(row: SessionRow): Promise<void> {
      await s.insert.execute(row);
    },
    async find(id: string): Promise<StoredSession | null> {
      const [found] = await lookups(db, userModel).lookup.execute({ id });
      return found ?? null;
    },
    findUser(userId: number): Promise<SessionUserRow | null> {
      return findSessionUser(db, userId, userModel);
    },
    async renew(id: string, lastVerifiedAt: number, expiresAt: number): Promise<void> {
      await s.renew.execute({ id, now: lastVerifiedAt, expiresAt });
    },
    async markAuthenticated(id: string, at: number): Promise<void> {
      await db.update(sessions).set({ authenticatedAt: at }).where(eq(sessions.id, id));
    },
    async delete(id: string): Promise<void> {
      await s.remove.execute({ id });
    },
    async deleteUserSessions(userId: number, except?: string): Promise<string[]> {
      const where = except ? and(eq(sessions.userId, userId), ne(sessions.id, except)) : eq(sessions.userId, userId);
      const rows = await db.delete(sessions).where(where).returning({ id: sessions.id });
      return rows.map((r) => r.id);
    },
    listUserSessions(userId: number): Promise<SessionRow[]> {
      return db.select().from(sessions).where(eq(sessions.userId, userId));
    },
    async rotate(oldId: string, row: SessionRow, now: number): Promise<void> {
      await db.batch(rotation(oldId, row, now));
    },
    async writeWith({ row, oldId, now, endsId }: SessionWrite, alongside: DatabaseWrites): Promise<readonly unknown[]> {
      const own = [
        ...(oldId === null ? [db.insert(sessions).values(row)] : rotation(oldId, row, now)),
        // Its data goes with it (`ON DELETE CASCADE`).
        ...(endsId ? [db.delete(sessions).where(eq(sessions.id, endsId))] : []),
      ];
      // Drizzle's own batch, in two turns: the statements are built on this one, and the
      // transaction runs on the next, so a sign-in holds the event loop for neither in a row.
      const prepared = ([...own, ...alongside] as unknown as PreparingQuery[]).map((query) => query._prepare());
      const statements = prepared.map((query) => {
        const { sql: text, params } = query.getQuery();
        return { sql: text, args: params as InArgs };
      });
      await yieldToEvents();
      const results = await db.$client.batch(statements);
      return results.slice(own.length).map((result, i) => prepared[own.length + i]!.mapResult(result, true));
    },
    readData(sessionId: string): Promise<readonly StoredSessionKey[]> {
      return s.readData.execute({ sessionId });
    },
    async writeKey(sessionId: string, key: string, json: string, now: number): Promise<void> {
      await s.upsertKey.execute({ sessionId, key, value: json, now });
    },
    async deleteKey(sessionId: string, key: string): Promise<void> {
      await s.removeKey.execute({ sessionId, key });
    },
    async *deleteExpired(now: number, limit: number): AsyncGenerator<ExpiredSessionsDeleted> {
      // The keys first, so no statement deletes a session's many keys by cascade at once.
      for (let count = limit; count === limit; ) {
        count = await deleteExpiredDataBatch(db, now, limit);
        yield { sessions: 0, sessionData: count };
      }
      for (let count = limit; count === limit; ) {
        count = await deleteExpiredSessionBatch(db, now, limit);
        yield { sessions: count, sessionData: 0 };
      }
    },
    async close(): Promise<void> {},
  };
}
