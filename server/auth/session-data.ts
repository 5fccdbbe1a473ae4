import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { preparedFor } from '../../db/prepared';
import { sessionData } from '../../db/schema';

/** JSON-serialisable session values. */
export type SessionValue = string | number | boolean | null | SessionValue[] | { [key: string]: SessionValue };

/** Longest key and largest value (as JSON) a session accepts. */
export const MAX_SESSION_KEY_LENGTH = 128;
export const MAX_SESSION_VALUE_BYTES = 64 * 1024;

/** Raised for keys or values a session cannot store. */
export class SessionDataError extends Error {
  override readonly name = 'SessionDataError';
}

const statements = preparedFor((db: Database) => ({
  all: db
    .select({ key: sessionData.key, value: sessionData.value })
    .from(sessionData)
    .where(eq(sessionData.sessionId, sql.placeholder('sessionId')))
    .prepare(),
  upsert: db
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
  remove: db
    .delete(sessionData)
    .where(and(eq(sessionData.sessionId, sql.placeholder('sessionId')), eq(sessionData.key, sql.placeholder('key'))))
    .prepare(),
}));

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_SESSION_KEY_LENGTH) {
    throw new SessionDataError(`Session keys are 1–${MAX_SESSION_KEY_LENGTH} characters`);
  }
}

/** Every key of a session, decoded. */
export async function readSessionData(db: Database, sessionId: string): Promise<Map<string, SessionValue>> {
  const rows = await statements(db).all.execute({ sessionId });
  const out = new Map<string, SessionValue>();
  for (const row of rows) out.set(row.key, JSON.parse(row.value) as SessionValue);
  return out;
}

/** Writes one key atomically (an upsert): other keys are untouched. */
export async function writeSessionKey(db: Database, sessionId: string, key: string, value: SessionValue): Promise<void> {
  checkKey(key);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined; // cycles, BigInt
  }
  if (json === undefined) throw new SessionDataError('Session values must be JSON-serialisable');
  if (Buffer.byteLength(json, 'utf8') > MAX_SESSION_VALUE_BYTES) {
    throw new SessionDataError(`Session values are at most ${MAX_SESSION_VALUE_BYTES} bytes of JSON`);
  }
  await statements(db).upsert.execute({ sessionId, key, value: json, now: Date.now() });
}

/** Deletes one key. */
export async function deleteSessionKey(db: Database, sessionId: string, key: string): Promise<void> {
  checkKey(key);
  await statements(db).remove.execute({ sessionId, key });
}
