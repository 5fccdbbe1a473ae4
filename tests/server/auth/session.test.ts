import { describe, expect, test } from 'bun:test';
import { sha256 } from '@oslojs/crypto/sha2';
import { eq } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { users } from '../../../db/schema';
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
import { SESSION_BACKEND_NAMES, useSessionBackend } from '../../helpers/session-backends';

const SETTINGS: SessionSettings = {
  inactivityTimeoutMs: 14 * DAY,
  renewalIntervalMs: 1 * HOUR,
  absoluteLifetimeMs: 30 * DAY,
};

/**
 * The clock start, so every instant in a test is explicit: the start of the
 * run, since Redis expires entries by the real clock.
 */
const T0 = Date.now();

describe.each(SESSION_BACKEND_NAMES)('sessions in the %s backend', (name) => {
  const store = useSessionBackend(name);

  /** Inserts a user row directly (no password hashing needed for session tests). */
  async function insertUser(username: string, fields: { isActive?: boolean } = {}): Promise<number> {
    const [row] = await store.t.db
      .insert(users)
      .values({ username, passwordHash: '!', dateJoined: T0, isActive: fields.isActive ?? true })
      .returning({ id: users.id });
    return row!.id;
  }

  async function sessionRow(id: string) {
    return (await store.sessions.find(id))?.session ?? null;
  }

  describe('createSession', () => {
    test('returns an id.secret token of two 160-bit base32 parts', async () => {
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      expect(token).toMatch(/^[a-z2-7]{32}\.[a-z2-7]{32}$/);
      const [id, secret] = token.split('.') as [string, string];
      expect(session.id).toBe(id);
      // 32 base32 characters carry 32 * 5 = 160 bits, above the 128-bit floor.
      expect(secret.length * 5).toBeGreaterThanOrEqual(128);
      expect(id.length * 5).toBeGreaterThanOrEqual(128);
    });

    test('never repeats a token or an id', async () => {
      const tokens = await Promise.all(Array.from({ length: 50 }, () => createSession(store.sessions, SETTINGS, { userId: null }, T0)));
      expect(new Set(tokens.map((s) => s.token)).size).toBe(50);
      expect(new Set(tokens.map((s) => s.session.id)).size).toBe(50);
    });

    test('stores only the SHA-256 of the secret: the secret and the token appear nowhere in what is stored', async () => {
      const userId = await insertUser('alice');
      const { token } = await createSession(store.sessions, SETTINGS, { userId, userAgent: 'test-agent', ip: '127.0.0.1' }, T0);
      const [id, secret] = token.split('.') as [string, string];
      await writeSessionKey(store.sessions, id, 'cart', ['apple']);
      const expected = sha256(new TextEncoder().encode(secret));
      expect([...new Uint8Array((await sessionRow(id))!.secretHash)]).toEqual([...expected]);
      const stored = await store.storedText();
      expect(stored.length).toBeGreaterThan(0);
      for (const text of stored) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(token);
      }
    });

    test('leaves no trace of the secret in the database files', async () => {
      const { token } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const secret = token.split('.')[1]!;
      for (const name of readdirSync(store.t.dir)) {
        expect(readFileSync(join(store.t.dir, name)).includes(Buffer.from(secret))).toBe(false);
      }
    });

    test('sets the inactivity expiry and the absolute expiry from creation', async () => {
      const { session } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      expect(session.expiresAt).toBe(T0 + SETTINGS.inactivityTimeoutMs);
      expect(session.absoluteExpiresAt).toBe(T0 + SETTINGS.absoluteLifetimeMs);
      expect(session).not.toHaveProperty('secretHash');
    });
  });

  describe('validateSessionToken', () => {
    test('returns the session and the live user for a valid token', async () => {
      const userId = await insertUser('alice');
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId }, T0);
      const result = await validateSessionToken(store.sessions, SETTINGS, token, T0 + MINUTE);
      expect(result.session?.id).toBe(session.id);
      expect(result.user?.id).toBe(userId);
      expect(result.user?.username).toBe('alice');
      expect(result.user?.isAuthenticated).toBe(true);
      expect(result.session).not.toHaveProperty('secretHash');
      expect(result.user).not.toHaveProperty('passwordHash');
    });

    test('returns a session without a user for an anonymous visitor', async () => {
      const { token } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const result = await validateSessionToken(store.sessions, SETTINGS, token, T0);
      expect(result.session).not.toBeNull();
      expect(result.user).toBeNull();
    });

    test('rejects a wrong secret for a known id and keeps the row', async () => {
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const other = (await createSession(store.sessions, SETTINGS, { userId: null }, T0)).token.split('.')[1]!;
      const forged = `${session.id}.${other}`;
      expect(forged).not.toBe(token);
      expect(await validateSessionToken(store.sessions, SETTINGS, forged, T0)).toEqual({ session: null, user: null });
      expect(await sessionRow(session.id)).not.toBeNull();
    });

    test('rejects an unknown id', async () => {
      const { token } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const unknown = `${'a'.repeat(32)}.${token.split('.')[1]}`;
      expect(await validateSessionToken(store.sessions, SETTINGS, unknown, T0)).toEqual({ session: null, user: null });
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
      expect(await validateSessionToken(store.sessions, SETTINGS, token, T0)).toEqual({ session: null, user: null });
    });

    test('rejects a session whose user is inactive', async () => {
      const userId = await insertUser('inactive', { isActive: false });
      const { token } = await createSession(store.sessions, SETTINGS, { userId }, T0);
      expect(await validateSessionToken(store.sessions, SETTINGS, token, T0)).toEqual({ session: null, user: null });
    });

    test('rejects a session once its user is deactivated', async () => {
      const userId = await insertUser('alice');
      const { token } = await createSession(store.sessions, SETTINGS, { userId }, T0);
      expect((await validateSessionToken(store.sessions, SETTINGS, token, T0)).user?.id).toBe(userId);
      await store.t.db.update(users).set({ isActive: false }).where(eq(users.id, userId));
      expect(await validateSessionToken(store.sessions, SETTINGS, token, T0)).toEqual({ session: null, user: null });
    });

    test('rejects a session once its user is deleted, and the session goes', async () => {
      const userId = await insertUser('alice');
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId }, T0);
      await store.t.db.delete(users).where(eq(users.id, userId));
      // libSQL deletes it with the user (foreign key); Redis keeps it until it is looked up.
      if (name === 'libsql') expect(await sessionRow(session.id)).toBeNull();
      expect(await validateSessionToken(store.sessions, SETTINGS, token, T0)).toEqual({ session: null, user: null });
      expect(await sessionRow(session.id)).toBeNull();
      expect(await listUserSessions(store.sessions, userId, T0)).toEqual([]);
    });
  });

  describe('expiry', () => {
    test('a session idle for the inactivity timeout is rejected and deleted', async () => {
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const stillValid = await validateSessionToken(store.sessions, SETTINGS, token, T0 + SETTINGS.inactivityTimeoutMs - 1);
      expect(stillValid.session).not.toBeNull();
      // That use renewed the window; idle a whole timeout after it.
      const lastUse = T0 + SETTINGS.inactivityTimeoutMs - 1;
      const expired = await validateSessionToken(store.sessions, SETTINGS, token, lastUse + SETTINGS.inactivityTimeoutMs);
      expect(expired).toEqual({ session: null, user: null });
      expect(await sessionRow(session.id)).toBeNull();
    });

    test('a never-used session dies exactly at its inactivity expiry', async () => {
      const { token } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const result = await validateSessionToken(store.sessions, SETTINGS, token, T0 + SETTINGS.inactivityTimeoutMs);
      expect(result.session).toBeNull();
    });

    test('a session in constant use still dies at its absolute lifetime', async () => {
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      // Use it every day: each use renews the inactivity window.
      for (let now = T0; now < T0 + SETTINGS.absoluteLifetimeMs; now += DAY) {
        expect((await validateSessionToken(store.sessions, SETTINGS, token, now)).session).not.toBeNull();
      }
      const row = await sessionRow(session.id);
      expect(row!.expiresAt).toBeLessThanOrEqual(row!.absoluteExpiresAt);
      const result = await validateSessionToken(store.sessions, SETTINGS, token, T0 + SETTINGS.absoluteLifetimeMs);
      expect(result).toEqual({ session: null, user: null });
      expect(await sessionRow(session.id)).toBeNull();
    });
  });

  describe('renewal', () => {
    test('is written at most once per renewal interval', async () => {
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const early = T0 + SETTINGS.renewalIntervalMs - 1;
      await validateSessionToken(store.sessions, SETTINGS, token, early);
      let row = await sessionRow(session.id);
      expect(row!.lastVerifiedAt).toBe(T0);
      expect(row!.expiresAt).toBe(T0 + SETTINGS.inactivityTimeoutMs);

      const due = T0 + SETTINGS.renewalIntervalMs;
      const renewed = await validateSessionToken(store.sessions, SETTINGS, token, due);
      row = await sessionRow(session.id);
      expect(row!.lastVerifiedAt).toBe(due);
      expect(row!.expiresAt).toBe(due + SETTINGS.inactivityTimeoutMs);
      expect(renewed.session?.expiresAt).toBe(row!.expiresAt);

      await validateSessionToken(store.sessions, SETTINGS, token, due + SETTINGS.renewalIntervalMs - 1);
      expect((await sessionRow(session.id))!.lastVerifiedAt).toBe(due);
    });

    test('never pushes the inactivity expiry past the absolute expiry', async () => {
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const late = T0 + SETTINGS.absoluteLifetimeMs - HOUR;
      // Keep it alive up to `late` with daily use.
      for (let now = T0; now <= late; now += DAY) await validateSessionToken(store.sessions, SETTINGS, token, now);
      await validateSessionToken(store.sessions, SETTINGS, token, late);
      const row = await sessionRow(session.id);
      expect(row!.expiresAt).toBe(row!.absoluteExpiresAt);
    });
  });

  describe('invalidation', () => {
    test('invalidateSession deletes the row and its data', async () => {
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      await writeSessionKey(store.sessions, session.id, 'cart', [1, 2]);
      await invalidateSession(store.sessions, session.id);
      expect(await sessionRow(session.id)).toBeNull();
      expect((await readSessionData(store.sessions, session.id)).size).toBe(0);
      expect(await store.storedText()).toEqual([]);
      expect((await validateSessionToken(store.sessions, SETTINGS, token, T0)).session).toBeNull();
    });

    test("invalidateUserSessions deletes every session of the user except the one named, and no one else's", async () => {
      const alice = await insertUser('alice');
      const bob = await insertUser('bob');
      const keep = await createSession(store.sessions, SETTINGS, { userId: alice }, T0);
      const drop1 = await createSession(store.sessions, SETTINGS, { userId: alice }, T0);
      const drop2 = await createSession(store.sessions, SETTINGS, { userId: alice }, T0);
      const bobs = await createSession(store.sessions, SETTINGS, { userId: bob }, T0);
      const removed = await invalidateUserSessions(store.sessions, alice, { except: keep.session.id });
      expect(removed.sort()).toEqual([drop1.session.id, drop2.session.id].sort());
      expect((await validateSessionToken(store.sessions, SETTINGS, keep.token, T0)).session).not.toBeNull();
      expect((await validateSessionToken(store.sessions, SETTINGS, drop1.token, T0)).session).toBeNull();
      expect((await validateSessionToken(store.sessions, SETTINGS, bobs.token, T0)).session).not.toBeNull();
    });

    test('invalidateUserSessions without except deletes all of them', async () => {
      const alice = await insertUser('alice');
      await createSession(store.sessions, SETTINGS, { userId: alice }, T0);
      await createSession(store.sessions, SETTINGS, { userId: alice }, T0);
      expect(await invalidateUserSessions(store.sessions, alice)).toHaveLength(2);
      expect(await listUserSessions(store.sessions, alice, T0)).toEqual([]);
    });

    test('invalidateUserSessions of a user without sessions deletes nothing', async () => {
      const alice = await insertUser('alice');
      const anonymous = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      expect(await invalidateUserSessions(store.sessions, alice)).toEqual([]);
      expect(await sessionRow(anonymous.session.id)).not.toBeNull();
    });
  });

  describe('listUserSessions', () => {
    test("lists a user's live sessions newest first, without secrets, and no one else's", async () => {
      const alice = await insertUser('alice');
      const bob = await insertUser('bob');
      const first = await createSession(store.sessions, SETTINGS, { userId: alice, userAgent: 'phone', ip: '10.0.0.1' }, T0);
      const second = await createSession(store.sessions, SETTINGS, { userId: alice, userAgent: 'laptop', ip: '10.0.0.2' }, T0 + MINUTE);
      await createSession(store.sessions, SETTINGS, { userId: bob }, T0);
      await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const listed = await listUserSessions(store.sessions, alice, T0 + MINUTE);
      expect(listed).toEqual([second.session, first.session]);
      expect(listed[0]).toMatchObject({ userAgent: 'laptop', ip: '10.0.0.2', userId: alice });
      for (const session of listed) expect(session).not.toHaveProperty('secretHash');
    });

    test('leaves out sessions past either expiry', async () => {
      const alice = await insertUser('alice');
      const live = await createSession(store.sessions, SETTINGS, { userId: alice }, T0);
      // Created long ago: past its inactivity expiry by now.
      await createSession(store.sessions, SETTINGS, { userId: alice }, T0 - SETTINGS.inactivityTimeoutMs - HOUR);
      expect((await listUserSessions(store.sessions, alice, T0)).map((s) => s.id)).toEqual([live.session.id]);
      // A whole inactivity window later, the live one has expired too.
      expect(await listUserSessions(store.sessions, alice, T0 + SETTINGS.inactivityTimeoutMs)).toEqual([]);
    });
  });

  describe('rotateSession', () => {
    test('carries session data over to a new id and deletes the old row', async () => {
      const alice = await insertUser('alice');
      const old = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      await writeSessionKey(store.sessions, old.session.id, 'cart', ['apple']);
      await writeSessionKey(store.sessions, old.session.id, 'theme', 'dark');
      const rotated = await rotateSession(store.sessions, SETTINGS, old.session.id, { userId: alice }, T0 + MINUTE);
      expect(rotated.session.id).not.toBe(old.session.id);
      expect(rotated.session.userId).toBe(alice);
      expect(await sessionRow(old.session.id)).toBeNull();
      expect((await validateSessionToken(store.sessions, SETTINGS, old.token, T0 + MINUTE)).session).toBeNull();
      const now = await validateSessionToken(store.sessions, SETTINGS, rotated.token, T0 + MINUTE);
      expect(now.user?.id).toBe(alice);
      const data = await readSessionData(store.sessions, rotated.session.id);
      expect(Object.fromEntries(data)).toEqual({ cart: ['apple'], theme: 'dark' });
      expect((await readSessionData(store.sessions, old.session.id)).size).toBe(0);
    });

    test('without an old session just creates one', async () => {
      const alice = await insertUser('alice');
      const rotated = await rotateSession(store.sessions, SETTINGS, null, { userId: alice }, T0);
      expect((await validateSessionToken(store.sessions, SETTINGS, rotated.token, T0)).user?.id).toBe(alice);
    });

    test('from a session that ended meanwhile, creates the new one without data', async () => {
      const alice = await insertUser('alice');
      const old = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      await writeSessionKey(store.sessions, old.session.id, 'cart', ['apple']);
      await invalidateSession(store.sessions, old.session.id);
      const rotated = await rotateSession(store.sessions, SETTINGS, old.session.id, { userId: alice }, T0);
      expect((await validateSessionToken(store.sessions, SETTINGS, rotated.token, T0)).user?.id).toBe(alice);
      expect((await readSessionData(store.sessions, rotated.session.id)).size).toBe(0);
    });

    test('writes alongside it are committed with the new session, and get its token and id', async () => {
      const alice = await insertUser('alice');
      const old = await createSession(store.sessions, SETTINGS, { userId: null }, T0);
      const { db } = store.t;
      const seen: string[] = [];
      const rotated = await rotateSession(store.sessions, SETTINGS, old.session.id, { userId: alice }, T0 + MINUTE, {
        db,
        writes: (token, session) => {
          seen.push(token, session.id);
          return [
            db
              .update(users)
              .set({ lastLogin: T0 + MINUTE })
              .where(eq(users.id, alice))
              .returning({ id: users.id }),
          ];
        },
      });
      expect(seen).toEqual([rotated.token, rotated.session.id]);
      expect(rotated.written).toEqual([[{ id: alice }]]);
      const [row] = await db.select({ lastLogin: users.lastLogin }).from(users).where(eq(users.id, alice));
      expect(row!.lastLogin).toBe(T0 + MINUTE);
      expect((await validateSessionToken(store.sessions, SETTINGS, rotated.token, T0 + MINUTE)).user?.id).toBe(alice);
    });

    test("a session it ends (another user's) goes only once the writes alongside have committed", async () => {
      const alice = await insertUser('alice');
      const bob = await insertUser('bob');
      const { db } = store.t;
      const bobs = await createSession(store.sessions, SETTINGS, { userId: bob }, T0);
      await writeSessionKey(store.sessions, bobs.session.id, 'cart', ['apple']);
      // A write that fails for real: the users table's unique username.
      const failing = { db, writes: () => [db.insert(users).values({ username: 'alice', passwordHash: '!', dateJoined: T0 })] };
      const stored: string[] = [];
      const failed = rotateSession(store.sessions, SETTINGS, null, { userId: alice }, T0 + MINUTE, failing, {
        ends: bobs.session.id,
        stored: (session) => stored.push(session.id),
      });
      await expect(failed).rejects.toThrow('UNIQUE constraint failed');
      expect((await validateSessionToken(store.sessions, SETTINGS, bobs.token, T0 + MINUTE)).user?.id).toBe(bob);
      expect((await readSessionData(store.sessions, bobs.session.id)).get('cart')).toEqual(['apple']);
      // With writeWith nothing was stored; without it the session was, before the writes that failed.
      expect(stored).toHaveLength(store.sessions.writeWith ? 0 : 1);

      const fine = {
        db,
        writes: () => [
          db
            .update(users)
            .set({ lastLogin: T0 + MINUTE })
            .where(eq(users.id, alice)),
        ],
      };
      const rotated = await rotateSession(store.sessions, SETTINGS, null, { userId: alice }, T0 + MINUTE, fine, { ends: bobs.session.id });
      expect((await validateSessionToken(store.sessions, SETTINGS, bobs.token, T0 + MINUTE)).session).toBeNull();
      expect((await readSessionData(store.sessions, bobs.session.id)).size).toBe(0);
      expect((await validateSessionToken(store.sessions, SETTINGS, rotated.token, T0 + MINUTE)).user?.id).toBe(alice);
    });

    test("a signed-in user's rotation replaces their session in their list", async () => {
      const alice = await insertUser('alice');
      const old = await createSession(store.sessions, SETTINGS, { userId: alice }, T0);
      const other = await createSession(store.sessions, SETTINGS, { userId: alice }, T0);
      const rotated = await rotateSession(store.sessions, SETTINGS, old.session.id, { userId: alice }, T0 + MINUTE);
      const listed = (await listUserSessions(store.sessions, alice, T0 + MINUTE)).map((s) => s.id);
      expect(listed.sort()).toEqual([rotated.session.id, other.session.id].sort());
      // Signing out everywhere reaches the rotated session, and not the old one twice.
      expect((await invalidateUserSessions(store.sessions, alice)).sort()).toEqual(listed.sort());
    });
  });
});
