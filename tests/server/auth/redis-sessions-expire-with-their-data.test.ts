import { describe, expect, test } from 'bun:test';
import Redis from 'ioredis';
import { users } from '../../../db/schema';
import { createRedisSessionBackend } from '../../../server/auth/redis-session-backend';
import { createSession, listUserSessions, validateSessionToken, type SessionSettings } from '../../../server/auth/session';
import { SessionEndedError } from '../../../server/auth/session-backend';
import { writeSessionKey } from '../../../server/auth/session-data';
import { DAY, HOUR } from '../../../server/config';
import { HAVE_REDIS } from '../../helpers/redis';
import { useSessionBackend } from '../../helpers/session-backends';
import { waitFor } from '../../helpers/wait-for';

const SETTINGS: SessionSettings = { inactivityTimeoutMs: 14 * DAY, renewalIntervalMs: HOUR, absoluteLifetimeMs: 30 * DAY };

/**
 * What only the Redis backend does: Redis expires its entries itself, so
 * their expiry must follow the session's, and a user's index must not keep
 * ids of sessions that are gone.
 */
describe.skipIf(!HAVE_REDIS)('sessions in Redis', () => {
  const store = useSessionBackend('redis');
  const admin = () => new Redis(store.redisUrl!);

  async function insertUser(username: string): Promise<number> {
    const [row] = await store.t.db
      .insert(users)
      .values({ username, passwordHash: '!', dateJoined: Date.now() })
      .returning({ id: users.id });
    return row!.id;
  }

  /** When Redis will delete a key (ms since the epoch); -1: never; -2: no such key. */
  async function expiresAt(redis: Redis, key: string): Promise<number> {
    return Number(await redis.call('PEXPIRETIME', key));
  }

  test('a session and its data expire at its inactivity expiry; a renewal moves both', async () => {
    const redis = admin();
    try {
      const now = Date.now();
      const { token, session } = await createSession(store.sessions, SETTINGS, { userId: null }, now);
      await writeSessionKey(store.sessions, session.id, 'cart', ['apple']);
      expect(await expiresAt(redis, `statehouse:session:${session.id}`)).toBe(session.expiresAt);
      expect(await expiresAt(redis, `statehouse:session-data:${session.id}`)).toBe(session.expiresAt);
      const renewed = await validateSessionToken(store.sessions, SETTINGS, token, now + HOUR);
      expect(renewed.session?.expiresAt).toBe(now + HOUR + SETTINGS.inactivityTimeoutMs);
      expect(await expiresAt(redis, `statehouse:session:${session.id}`)).toBe(renewed.session!.expiresAt);
      expect(await expiresAt(redis, `statehouse:session-data:${session.id}`)).toBe(renewed.session!.expiresAt);
      // A key written after the renewal expires with the session too.
      await writeSessionKey(store.sessions, session.id, 'theme', 'dark');
      expect(await expiresAt(redis, `statehouse:session-data:${session.id}`)).toBe(renewed.session!.expiresAt);
    } finally {
      await redis.quit();
    }
  });

  test('Redis deletes an idle session and its data by itself, with no housekeeping', async () => {
    const short = { ...SETTINGS, inactivityTimeoutMs: 300 };
    const { token, session } = await createSession(store.sessions, short, { userId: null });
    await writeSessionKey(store.sessions, session.id, 'cart', ['apple']);
    const redis = admin();
    try {
      await waitFor(async () => (await redis.exists(`statehouse:session:${session.id}`, `statehouse:session-data:${session.id}`)) === 0, {
        what: 'Redis to expire the session and its data',
      });
    } finally {
      await redis.quit();
    }
    expect(await validateSessionToken(store.sessions, short, token)).toEqual({ session: null, user: null });
  });

  test("a user's index lives as long as their longest session may, and drops ids Redis expired", async () => {
    const redis = admin();
    try {
      const alice = await insertUser('alice');
      const now = Date.now();
      const first = await createSession(store.sessions, SETTINGS, { userId: alice }, now);
      const later = await createSession(store.sessions, SETTINGS, { userId: alice }, now + HOUR);
      const index = `statehouse:user-sessions:${alice}`;
      expect(await expiresAt(redis, index)).toBe(later.session.absoluteExpiresAt);
      // The first session expires (as Redis would do it): listing drops its id from the index.
      await redis.del(`statehouse:session:${first.session.id}`);
      expect((await listUserSessions(store.sessions, alice, now + HOUR)).map((s) => s.id)).toEqual([later.session.id]);
      expect(await redis.smembers(index)).toEqual([later.session.id]);
      // So does the next sign-in, without anyone listing.
      await redis.del(`statehouse:session:${later.session.id}`);
      const third = await createSession(store.sessions, SETTINGS, { userId: alice }, now + 2 * HOUR);
      expect(await redis.smembers(index)).toEqual([third.session.id]);
      expect(await expiresAt(redis, index)).toBe(third.session.absoluteExpiresAt);
    } finally {
      await redis.quit();
    }
  });

  test('a key written to a session that ended is a SessionEndedError and creates nothing', async () => {
    const { session } = await createSession(store.sessions, SETTINGS, { userId: null });
    await store.sessions.delete(session.id);
    await expect(writeSessionKey(store.sessions, session.id, 'late', 1)).rejects.toBeInstanceOf(SessionEndedError);
    expect(await store.storedText()).toEqual([]);
  });

  test('a renewal of a session that ended recreates nothing', async () => {
    const { session } = await createSession(store.sessions, SETTINGS, { userId: null });
    await store.sessions.delete(session.id);
    await store.sessions.renew(session.id, Date.now(), Date.now() + DAY);
    expect(await store.storedText()).toEqual([]);
  });

  test('a Redis that cannot be reached fails the start with a clear error that shows no password', async () => {
    const started = createRedisSessionBackend('redis://statehouse:hunter2@127.0.0.1:1', store.t.db, { onError: () => {} });
    await expect(started).rejects.toThrow('The session backend cannot reach Redis at redis://[redacted]@127.0.0.1:1');
    await expect(started).rejects.not.toThrow('hunter2');
  });
});
