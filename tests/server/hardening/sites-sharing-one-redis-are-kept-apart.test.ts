import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { loadConfig, redisNamesOf } from '../../../server/config';
import { createRedisSessionBackend } from '../../../server/auth/redis-session-backend';
import { createSession, validateSessionToken } from '../../../server/auth/session';
import { createRedisBus } from '../../../server/bus/redis-bus';
import type { BusEvent } from '../../../server/bus/identity-bus';
import { createTestDatabase, createTestUser, type TestDatabase } from '../../helpers/db';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { eventually } from '../../helpers/wait-for';

const SETTINGS = { inactivityTimeoutMs: 60_000, renewalIntervalMs: 10_000, absoluteLifetimeMs: 600_000 };

/** Two sites (say staging and production) on one Redis, each with its own REDIS_PREFIX. */
describe.skipIf(!HAVE_REDIS)('sites sharing one Redis', () => {
  let redis: RedisServer;
  let t: TestDatabase;
  beforeAll(async () => {
    redis = await startRedis();
    t = await createTestDatabase();
  });
  afterAll(async () => {
    t.cleanup();
    await redis.stop();
  });

  const names = (prefix: string) => redisNamesOf(loadConfig({ redisPrefix: prefix }, {}));

  test('a session of one site is no session of the other, even for a user id both have', async () => {
    const user = await createTestUser(t.db, { username: 'admin' });
    const staging = await createRedisSessionBackend(redis.url, t.db, { prefix: names('staging').sessions });
    const production = await createRedisSessionBackend(redis.url, t.db, { prefix: names('production').sessions });
    try {
      const { token } = await createSession(staging, SETTINGS, { userId: user.id });
      expect((await validateSessionToken(staging, SETTINGS, token)).user?.id).toBe(user.id);
      expect(await validateSessionToken(production, SETTINGS, token)).toEqual({ session: null, user: null });
    } finally {
      await Promise.all([staging.close(), production.close()]);
    }
  });

  test("one site's identity events and pushes never reach the other's tabs", async () => {
    const staging = await createRedisBus(redis.url, { channel: names('staging').identityChannel });
    const production = await createRedisBus(redis.url, { channel: names('production').identityChannel });
    const heard: BusEvent[] = [];
    const heardOnStaging: BusEvent[] = [];
    production.subscribe((event) => void heard.push(event));
    staging.subscribe((event) => void heardOnStaging.push(event));
    try {
      await staging.publish({ type: 'users-changed', userIds: [1] });
      await eventually(() => expect(heardOnStaging).toHaveLength(1));
      await production.publish({ type: 'users-changed', userIds: [2] });
      await eventually(() => expect(heard).toEqual([{ type: 'users-changed', userIds: [2] }]));
    } finally {
      await Promise.all([staging.close(), production.close()]);
    }
  });

  test('the prefix is checked: no spaces, no colons, at most 64 characters', () => {
    expect(() => loadConfig({ redisPrefix: 'my site' }, {})).toThrow('redisPrefix');
    expect(() => loadConfig({}, { REDIS_PREFIX: 'a:b' })).toThrow('redisPrefix');
    expect(names('prod')).toEqual({
      sessions: 'prod',
      identityChannel: 'prod:identity',
      rateLimits: 'prod:rl',
      resumeStash: 'prod:resume',
    });
  });
});
