import { beforeEach, describe, expect, test } from 'bun:test';
import { createSession, invalidateSession } from '../../../server/auth/session';
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
import { SESSION_BACKEND_NAMES, useSessionBackend } from '../../helpers/session-backends';

const SETTINGS = { inactivityTimeoutMs: 14 * DAY, renewalIntervalMs: HOUR, absoluteLifetimeMs: 30 * DAY };

describe.each(SESSION_BACKEND_NAMES)('session data in the %s backend', (name) => {
  const store = useSessionBackend(name);
  let sessionId: string;

  beforeEach(async () => {
    sessionId = (await createSession(store.sessions, SETTINGS, { userId: null })).session.id;
  });

  describe('per-key writes', () => {
    test('two writers that each read, then write their own key, both survive', async () => {
      // Two tabs, two connections to the same store (as two processes have):
      // each reads the session, then writes its own key after the other has read.
      const other = await store.another();
      const seenByA = await readSessionData(store.sessions, sessionId);
      const seenByB = await readSessionData(other, sessionId);
      expect(seenByA.size).toBe(0);
      expect(seenByB.size).toBe(0);
      await writeSessionKey(store.sessions, sessionId, 'cart', ['apple']);
      await writeSessionKey(other, sessionId, 'theme', 'dark');
      await writeSessionKey(store.sessions, sessionId, 'cart', ['apple', 'pear']);
      expect(Object.fromEntries(await readSessionData(other, sessionId))).toEqual({
        cart: ['apple', 'pear'],
        theme: 'dark',
      });
    });

    test('many concurrent writes of different keys all land', async () => {
      const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
      await Promise.all(keys.map((key, i) => writeSessionKey(store.sessions, sessionId, key, i)));
      const data = await readSessionData(store.sessions, sessionId);
      expect(data.size).toBe(20);
      for (const [i, key] of keys.entries()) expect(data.get(key)).toBe(i);
    });

    test('overwriting a key keeps one entry for it', async () => {
      await writeSessionKey(store.sessions, sessionId, 'n', 1);
      await writeSessionKey(store.sessions, sessionId, 'n', 2);
      expect(await store.sessions.readData(sessionId)).toEqual([{ key: 'n', value: '2' }]);
      expect((await readSessionData(store.sessions, sessionId)).get('n')).toBe(2);
    });

    test('a write to a session that ended meanwhile is refused and stores nothing', async () => {
      await invalidateSession(store.sessions, sessionId);
      await expect(writeSessionKey(store.sessions, sessionId, 'late', 1)).rejects.toThrow();
      expect((await readSessionData(store.sessions, sessionId)).size).toBe(0);
      expect(await store.storedText()).toEqual([]);
    });

    test('round-trips every JSON shape', async () => {
      const value: SessionValue = { s: 'x', n: 1.5, b: false, z: null, list: [1, 'two', { three: 3 }] };
      await writeSessionKey(store.sessions, sessionId, 'shape', value);
      expect((await readSessionData(store.sessions, sessionId)).get('shape')).toEqual(value);
    });

    test("sessions do not see each other's keys", async () => {
      const other = (await createSession(store.sessions, SETTINGS, { userId: null })).session.id;
      await writeSessionKey(store.sessions, sessionId, 'mine', 1);
      expect((await readSessionData(store.sessions, other)).size).toBe(0);
    });
  });

  describe('deleteSessionKey', () => {
    test('deletes one key and leaves the others', async () => {
      await writeSessionKey(store.sessions, sessionId, 'a', 1);
      await writeSessionKey(store.sessions, sessionId, 'b', 2);
      await deleteSessionKey(store.sessions, sessionId, 'a');
      expect(Object.fromEntries(await readSessionData(store.sessions, sessionId))).toEqual({ b: 2 });
    });

    test('deleting a missing key is a no-op', async () => {
      await deleteSessionKey(store.sessions, sessionId, 'never-set');
      expect((await readSessionData(store.sessions, sessionId)).size).toBe(0);
    });
  });

  describe('rejected input', () => {
    test('a value over the size limit is rejected with SessionDataError and not stored', async () => {
      const big = 'x'.repeat(MAX_SESSION_VALUE_BYTES);
      await expect(writeSessionKey(store.sessions, sessionId, 'big', big)).rejects.toBeInstanceOf(SessionDataError);
      expect((await readSessionData(store.sessions, sessionId)).size).toBe(0);
    });

    test('the size limit counts UTF-8 bytes, not characters', async () => {
      // Under the limit in characters, twice over it in bytes.
      const wide = 'é'.repeat(MAX_SESSION_VALUE_BYTES - 10);
      await expect(writeSessionKey(store.sessions, sessionId, 'wide', wide)).rejects.toBeInstanceOf(SessionDataError);
    });

    test('a value just under the size limit is stored', async () => {
      const fits = 'x'.repeat(MAX_SESSION_VALUE_BYTES - 2); // plus two quotes
      await writeSessionKey(store.sessions, sessionId, 'fits', fits);
      expect((await readSessionData(store.sessions, sessionId)).get('fits')).toBe(fits);
    });

    test.each([
      ['empty', ''],
      ['too long', 'k'.repeat(MAX_SESSION_KEY_LENGTH + 1)],
    ])('a bad key (%s) is rejected on write and on delete', async (_name, key) => {
      await expect(writeSessionKey(store.sessions, sessionId, key, 1)).rejects.toBeInstanceOf(SessionDataError);
      await expect(deleteSessionKey(store.sessions, sessionId, key)).rejects.toBeInstanceOf(SessionDataError);
    });

    test('a key of the maximum length is accepted', async () => {
      await writeSessionKey(store.sessions, sessionId, 'k'.repeat(MAX_SESSION_KEY_LENGTH), true);
      expect((await readSessionData(store.sessions, sessionId)).size).toBe(1);
    });

    test('values JSON cannot carry are rejected with SessionDataError', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const value of [undefined, () => 1, cyclic, 10n]) {
        await expect(writeSessionKey(store.sessions, sessionId, 'bad', value as unknown as SessionValue)).rejects.toBeInstanceOf(
          SessionDataError,
        );
      }
    });
  });
});
