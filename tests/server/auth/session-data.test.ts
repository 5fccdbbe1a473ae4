import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { openDatabase, type DatabaseHandle } from '../../../db/client';
import { sessionData } from '../../../db/schema';
import { createSession } from '../../../server/auth/session';
import {
  MAX_SESSION_KEY_LENGTH,
  MAX_SESSION_VALUE_BYTES,
  SessionDataError,
  deleteSessionKey,
  readSessionData,
  writeSessionKey,
  type SessionValue,
} from '../../../server/auth/session-data';
import { DAY, HOUR } from '../../../server/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

const SETTINGS = { inactivityTimeoutMs: 14 * DAY, renewalIntervalMs: HOUR, absoluteLifetimeMs: 30 * DAY };

let t: TestDatabase;
let sessionId: string;

beforeEach(async () => {
  t = await createTestDatabase();
  sessionId = (await createSession(t.db, SETTINGS, { userId: null })).session.id;
});

afterEach(() => t.cleanup());

describe('per-key writes', () => {
  test('two writers that each read, then write their own key, both survive', async () => {
    // Two tabs, two connections to the same file: each reads the session,
    // then writes its own key after the other has read.
    const other: DatabaseHandle = await openDatabase(t.url);
    try {
      const seenByA = await readSessionData(t.db, sessionId);
      const seenByB = await readSessionData(other.db, sessionId);
      expect(seenByA.size).toBe(0);
      expect(seenByB.size).toBe(0);
      await writeSessionKey(t.db, sessionId, 'cart', ['apple']);
      await writeSessionKey(other.db, sessionId, 'theme', 'dark');
      await writeSessionKey(t.db, sessionId, 'cart', ['apple', 'pear']);
      expect(Object.fromEntries(await readSessionData(other.db, sessionId))).toEqual({
        cart: ['apple', 'pear'],
        theme: 'dark',
      });
    } finally {
      other.close();
    }
  });

  test('many concurrent writes of different keys all land', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((key, i) => writeSessionKey(t.db, sessionId, key, i)));
    const data = await readSessionData(t.db, sessionId);
    expect(data.size).toBe(20);
    for (const [i, key] of keys.entries()) expect(data.get(key)).toBe(i);
  });

  test('overwriting a key keeps one row for it', async () => {
    await writeSessionKey(t.db, sessionId, 'n', 1);
    await writeSessionKey(t.db, sessionId, 'n', 2);
    expect(await t.db.select().from(sessionData)).toHaveLength(1);
    expect((await readSessionData(t.db, sessionId)).get('n')).toBe(2);
  });

  test('round-trips every JSON shape', async () => {
    const value: SessionValue = { s: 'x', n: 1.5, b: false, z: null, list: [1, 'two', { three: 3 }] };
    await writeSessionKey(t.db, sessionId, 'shape', value);
    expect((await readSessionData(t.db, sessionId)).get('shape')).toEqual(value);
  });

  test("sessions do not see each other's keys", async () => {
    const other = (await createSession(t.db, SETTINGS, { userId: null })).session.id;
    await writeSessionKey(t.db, sessionId, 'mine', 1);
    expect((await readSessionData(t.db, other)).size).toBe(0);
  });
});

describe('deleteSessionKey', () => {
  test('deletes one key and leaves the others', async () => {
    await writeSessionKey(t.db, sessionId, 'a', 1);
    await writeSessionKey(t.db, sessionId, 'b', 2);
    await deleteSessionKey(t.db, sessionId, 'a');
    expect(Object.fromEntries(await readSessionData(t.db, sessionId))).toEqual({ b: 2 });
  });

  test('deleting a missing key is a no-op', async () => {
    await deleteSessionKey(t.db, sessionId, 'never-set');
    expect((await readSessionData(t.db, sessionId)).size).toBe(0);
  });
});

describe('rejected input', () => {
  test('a value over the size limit is rejected with SessionDataError and not stored', async () => {
    const big = 'x'.repeat(MAX_SESSION_VALUE_BYTES);
    await expect(writeSessionKey(t.db, sessionId, 'big', big)).rejects.toBeInstanceOf(SessionDataError);
    expect((await readSessionData(t.db, sessionId)).size).toBe(0);
  });

  test('the size limit counts UTF-8 bytes, not characters', async () => {
    // Under the limit in characters, twice over it in bytes.
    const wide = 'é'.repeat(MAX_SESSION_VALUE_BYTES - 10);
    await expect(writeSessionKey(t.db, sessionId, 'wide', wide)).rejects.toBeInstanceOf(SessionDataError);
  });

  test('a value just under the size limit is stored', async () => {
    const fits = 'x'.repeat(MAX_SESSION_VALUE_BYTES - 2); // plus two quotes
    await writeSessionKey(t.db, sessionId, 'fits', fits);
    expect((await readSessionData(t.db, sessionId)).get('fits')).toBe(fits);
  });

  test.each([
    ['empty', ''],
    ['too long', 'k'.repeat(MAX_SESSION_KEY_LENGTH + 1)],
  ])('a bad key (%s) is rejected on write and on delete', async (_name, key) => {
    await expect(writeSessionKey(t.db, sessionId, key, 1)).rejects.toBeInstanceOf(SessionDataError);
    await expect(deleteSessionKey(t.db, sessionId, key)).rejects.toBeInstanceOf(SessionDataError);
  });

  test('a key of the maximum length is accepted', async () => {
    await writeSessionKey(t.db, sessionId, 'k'.repeat(MAX_SESSION_KEY_LENGTH), true);
    expect((await readSessionData(t.db, sessionId)).size).toBe(1);
  });

  test('values JSON cannot carry are rejected with SessionDataError', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [undefined, () => 1, cyclic, 10n]) {
      await expect(writeSessionKey(t.db, sessionId, 'bad', value as unknown as SessionValue)).rejects.toBeInstanceOf(SessionDataError);
    }
  });
});
