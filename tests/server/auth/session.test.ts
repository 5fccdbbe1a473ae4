import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { sha256 } from '@oslojs/crypto/sha2';
import { eq } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sessionData, sessions, users } from '../../../db/schema';
import { HOUR, MINUTE, DAY } from '../../../server/config';
import { readSessionData, writeSessionKey } from '../../../server/auth/session-data';
import {
  createSession,
  invalidateSession,
  invalidateUserSessions,
  listUserSessions,
  rotateSession,
  validateSessionToken,
  type SessionSettings,
} from '../../../server/auth/session';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

const SETTINGS: SessionSettings = {
  inactivityTimeoutMs: 14 * DAY,
  renewalIntervalMs: 1 * HOUR,
  absoluteLifetimeMs: 30 * DAY,
};

/** A fixed clock start, so every instant in a test is explicit. */
const T0 = Date.UTC(2026, 0, 1);

let t: TestDatabase;

beforeEach(async () => {
  t = await createTestDatabase();
});

afterEach(() => t.cleanup());

/** Inserts a user row directly (no password hashing needed for session tests). */
async function insertUser(username: string, fields: { isActive?: boolean } = {}): Promise<number> {
  const [row] = await t.db
    .insert(users)
    .values({ username, passwordHash: '!', dateJoined: T0, isActive: fields.isActive ?? true })
    .returning({ id: users.id });
  return row!.id;
}

async function sessionRow(id: string) {
  const [row] = await t.db.select().from(sessions).where(eq(sessions.id, id));
  return row ?? null;
}

describe('createSession', () => {
  test('returns an id.secret token of two 160-bit base32 parts', async () => {
    const { token, session } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    expect(token).toMatch(/^[a-z2-7]{32}\.[a-z2-7]{32}$/);
    const [id, secret] = token.split('.') as [string, string];
    expect(session.id).toBe(id);
    // 32 base32 characters carry 32 * 5 = 160 bits, above the 128-bit floor.
    expect(secret.length * 5).toBeGreaterThanOrEqual(128);
    expect(id.length * 5).toBeGreaterThanOrEqual(128);
  });

  test('never repeats a token or an id', async () => {
    const tokens = await Promise.all(Array.from({ length: 50 }, () => createSession(t.db, SETTINGS, { userId: null }, T0)));
    expect(new Set(tokens.map((s) => s.token)).size).toBe(50);
    expect(new Set(tokens.map((s) => s.session.id)).size).toBe(50);
  });

  test('stores only the SHA-256 of the secret: the secret appears nowhere in the row', async () => {
    const userId = await insertUser('alice');
    const { token } = await createSession(t.db, SETTINGS, { userId, userAgent: 'test-agent', ip: '127.0.0.1' }, T0);
    const [id, secret] = token.split('.') as [string, string];
    const raw = await t.client.execute({ sql: 'SELECT * FROM sessions WHERE id = ?', args: [id] });
    const row = raw.rows[0]!;
    const expected = sha256(new TextEncoder().encode(secret));
    expect([...new Uint8Array(row.secret_hash as ArrayBuffer)]).toEqual([...expected]);
    for (const value of Object.values(row)) {
      const text = value instanceof ArrayBuffer ? Buffer.from(value).toString('latin1') : String(value);
      expect(text).not.toContain(secret);
      expect(text).not.toContain(token);
    }
  });

  test('leaves no trace of the secret in the database files', async () => {
    const { token } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    const secret = token.split('.')[1]!;
    for (const name of readdirSync(t.dir)) {
      expect(readFileSync(join(t.dir, name)).includes(Buffer.from(secret))).toBe(false);
    }
  });

  test('sets the inactivity expiry and the absolute expiry from creation', async () => {
    const { session } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    expect(session.expiresAt).toBe(T0 + SETTINGS.inactivityTimeoutMs);
    expect(session.absoluteExpiresAt).toBe(T0 + SETTINGS.absoluteLifetimeMs);
    expect(session).not.toHaveProperty('secretHash');
  });
});

describe('validateSessionToken', () => {
  test('returns the session and the live user for a valid token', async () => {
    const userId = await insertUser('alice');
    const { token, session } = await createSession(t.db, SETTINGS, { userId }, T0);
    const result = await validateSessionToken(t.db, SETTINGS, token, T0 + MINUTE);
    expect(result.session?.id).toBe(session.id);
    expect(result.user?.id).toBe(userId);
    expect(result.user?.username).toBe('alice');
    expect(result.user?.isAuthenticated).toBe(true);
    expect(result.session).not.toHaveProperty('secretHash');
    expect(result.user).not.toHaveProperty('passwordHash');
  });

  test('returns a session without a user for an anonymous visitor', async () => {
    const { token } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    const result = await validateSessionToken(t.db, SETTINGS, token, T0);
    expect(result.session).not.toBeNull();
    expect(result.user).toBeNull();
  });

  test('rejects a wrong secret for a known id and keeps the row', async () => {
    const { token, session } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    const other = (await createSession(t.db, SETTINGS, { userId: null }, T0)).token.split('.')[1]!;
    const forged = `${session.id}.${other}`;
    expect(forged).not.toBe(token);
    expect(await validateSessionToken(t.db, SETTINGS, forged, T0)).toEqual({ session: null, user: null });
    expect(await sessionRow(session.id)).not.toBeNull();
  });

  test('rejects an unknown id', async () => {
    const { token } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    const unknown = `${'a'.repeat(32)}.${token.split('.')[1]}`;
    expect(await validateSessionToken(t.db, SETTINGS, unknown, T0)).toEqual({ session: null, user: null });
  });

  test.each([
    ['undefined', undefined],
    ['null', null],
    ['empty', ''],
    ['no dot', 'a'.repeat(40)],
    ['empty id', `.${'a'.repeat(32)}`],
    ['empty secret', `${'a'.repeat(32)}.`],
    ['upper case', `${'A'.repeat(32)}.${'B'.repeat(32)}`],
    ['base32 digits outside 2-7', `${'1'.repeat(32)}.${'8'.repeat(32)}`],
    ['two dots', `${'a'.repeat(32)}.${'b'.repeat(32)}.${'c'.repeat(32)}`],
    ['too short parts', 'abc.def'],
    ['too long', `${'a'.repeat(64)}.${'b'.repeat(100)}`],
    ['non-ascii', `${'a'.repeat(32)}.${'é'.repeat(32)}`],
    ['whitespace', ` ${'a'.repeat(32)}.${'b'.repeat(32)}`],
  ] as const)('rejects a malformed token (%s) without throwing', async (_name, token) => {
    expect(await validateSessionToken(t.db, SETTINGS, token, T0)).toEqual({ session: null, user: null });
  });

  test('rejects a session whose user is inactive', async () => {
    const userId = await insertUser('inactive', { isActive: false });
    const { token } = await createSession(t.db, SETTINGS, { userId }, T0);
    expect(await validateSessionToken(t.db, SETTINGS, token, T0)).toEqual({ session: null, user: null });
  });

  test('rejects a session once its user is deactivated', async () => {
    const userId = await insertUser('alice');
    const { token } = await createSession(t.db, SETTINGS, { userId }, T0);
    expect((await validateSessionToken(t.db, SETTINGS, token, T0)).user?.id).toBe(userId);
    await t.db.update(users).set({ isActive: false }).where(eq(users.id, userId));
    expect(await validateSessionToken(t.db, SETTINGS, token, T0)).toEqual({ session: null, user: null });
  });

  test('rejects a session once its user is deleted (the row goes with the user)', async () => {
    const userId = await insertUser('alice');
    const { token, session } = await createSession(t.db, SETTINGS, { userId }, T0);
    await t.db.delete(users).where(eq(users.id, userId));
    expect(await sessionRow(session.id)).toBeNull();
    expect(await validateSessionToken(t.db, SETTINGS, token, T0)).toEqual({ session: null, user: null });
  });
});

describe('expiry', () => {
  test('a session idle for the inactivity timeout is rejected and deleted', async () => {
    const { token, session } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    const stillValid = await validateSessionToken(t.db, SETTINGS, token, T0 + SETTINGS.inactivityTimeoutMs - 1);
    expect(stillValid.session).not.toBeNull();
    // That use renewed the window; idle a whole timeout after it.
    const lastUse = T0 + SETTINGS.inactivityTimeoutMs - 1;
    const expired = await validateSessionToken(t.db, SETTINGS, token, lastUse + SETTINGS.inactivityTimeoutMs);
    expect(expired).toEqual({ session: null, user: null });
    expect(await sessionRow(session.id)).toBeNull();
  });

  test('a never-used session dies exactly at its inactivity expiry', async () => {
    const { token } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    const result = await validateSessionToken(t.db, SETTINGS, token, T0 + SETTINGS.inactivityTimeoutMs);
    expect(result.session).toBeNull();
  });

  test('a session in constant use still dies at its absolute lifetime', async () => {
    const { token, session } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    // Use it every day: each use renews the inactivity window.
    for (let now = T0; now < T0 + SETTINGS.absoluteLifetimeMs; now += DAY) {
      expect((await validateSessionToken(t.db, SETTINGS, token, now)).session).not.toBeNull();
    }
    const row = await sessionRow(session.id);
    expect(row!.expiresAt).toBeLessThanOrEqual(row!.absoluteExpiresAt);
    const result = await validateSessionToken(t.db, SETTINGS, token, T0 + SETTINGS.absoluteLifetimeMs);
    expect(result).toEqual({ session: null, user: null });
    expect(await sessionRow(session.id)).toBeNull();
  });
});

describe('renewal', () => {
  test('is written at most once per renewal interval', async () => {
    const { token, session } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    const early = T0 + SETTINGS.renewalIntervalMs - 1;
    await validateSessionToken(t.db, SETTINGS, token, early);
    let row = await sessionRow(session.id);
    expect(row!.lastVerifiedAt).toBe(T0);
    expect(row!.expiresAt).toBe(T0 + SETTINGS.inactivityTimeoutMs);

    const due = T0 + SETTINGS.renewalIntervalMs;
    const renewed = await validateSessionToken(t.db, SETTINGS, token, due);
    row = await sessionRow(session.id);
    expect(row!.lastVerifiedAt).toBe(due);
    expect(row!.expiresAt).toBe(due + SETTINGS.inactivityTimeoutMs);
    expect(renewed.session?.expiresAt).toBe(row!.expiresAt);

    await validateSessionToken(t.db, SETTINGS, token, due + SETTINGS.renewalIntervalMs - 1);
    expect((await sessionRow(session.id))!.lastVerifiedAt).toBe(due);
  });

  test('never pushes the inactivity expiry past the absolute expiry', async () => {
    const { token, session } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    const late = T0 + SETTINGS.absoluteLifetimeMs - HOUR;
    // Keep it alive up to `late` with daily use.
    for (let now = T0; now <= late; now += DAY) await validateSessionToken(t.db, SETTINGS, token, now);
    await validateSessionToken(t.db, SETTINGS, token, late);
    const row = await sessionRow(session.id);
    expect(row!.expiresAt).toBe(row!.absoluteExpiresAt);
  });
});

describe('invalidation', () => {
  test('invalidateSession deletes the row and its data', async () => {
    const { token, session } = await createSession(t.db, SETTINGS, { userId: null }, T0);
    await writeSessionKey(t.db, session.id, 'cart', [1, 2]);
    await invalidateSession(t.db, session.id);
    expect(await sessionRow(session.id)).toBeNull();
    expect(await t.db.select().from(sessionData)).toEqual([]);
    expect((await validateSessionToken(t.db, SETTINGS, token, T0)).session).toBeNull();
  });

  test("invalidateUserSessions deletes every session of the user except the one named, and no one else's", async () => {
    const alice = await insertUser('alice');
    const bob = await insertUser('bob');
    const keep = await createSession(t.db, SETTINGS, { userId: alice }, T0);
    const drop1 = await createSession(t.db, SETTINGS, { userId: alice }, T0);
    const drop2 = await createSession(t.db, SETTINGS, { userId: alice }, T0);
    const bobs = await createSession(t.db, SETTINGS, { userId: bob }, T0);
    const removed = await invalidateUserSessions(t.db, alice, { except: keep.session.id });
    expect(removed.sort()).toEqual([drop1.session.id, drop2.session.id].sort());
    expect((await validateSessionToken(t.db, SETTINGS, keep.token, T0)).session).not.toBeNull();
    expect((await validateSessionToken(t.db, SETTINGS, drop1.token, T0)).session).toBeNull();
    expect((await validateSessionToken(t.db, SETTINGS, bobs.token, T0)).session).not.toBeNull();
  });

  test('invalidateUserSessions without except deletes all of them', async () => {
    const alice = await insertUser('alice');
    await createSession(t.db, SETTINGS, { userId: alice }, T0);
    await createSession(t.db, SETTINGS, { userId: alice }, T0);
    expect(await invalidateUserSessions(t.db, alice)).toHaveLength(2);
    expect(await listUserSessions(t.db, alice, T0)).toEqual([]);
  });
});

describe('rotateSession', () => {
  test('carries session data over to a new id and deletes the old row', async () => {
    const alice = await insertUser('alice');
    const old = await createSession(t.db, SETTINGS, { userId: null }, T0);
    await writeSessionKey(t.db, old.session.id, 'cart', ['apple']);
    await writeSessionKey(t.db, old.session.id, 'theme', 'dark');
    const rotated = await rotateSession(t.db, SETTINGS, old.session.id, { userId: alice }, T0 + MINUTE);
    expect(rotated.session.id).not.toBe(old.session.id);
    expect(rotated.session.userId).toBe(alice);
    expect(await sessionRow(old.session.id)).toBeNull();
    expect((await validateSessionToken(t.db, SETTINGS, old.token, T0 + MINUTE)).session).toBeNull();
    const now = await validateSessionToken(t.db, SETTINGS, rotated.token, T0 + MINUTE);
    expect(now.user?.id).toBe(alice);
    const data = await readSessionData(t.db, rotated.session.id);
    expect(Object.fromEntries(data)).toEqual({ cart: ['apple'], theme: 'dark' });
    expect((await readSessionData(t.db, old.session.id)).size).toBe(0);
  });

  test('without an old session just creates one', async () => {
    const alice = await insertUser('alice');
    const rotated = await rotateSession(t.db, SETTINGS, null, { userId: alice }, T0);
    expect((await validateSessionToken(t.db, SETTINGS, rotated.token, T0)).user?.id).toBe(alice);
  });
});
