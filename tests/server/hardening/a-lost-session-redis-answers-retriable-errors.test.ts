import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createLogger } from '../../../server/log';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { startTestServer, type TestServer } from '../../helpers/server';

/** Sessions in Redis, and that Redis gone: a fault to retry, as a locked database is, never a 500. */
describe.skipIf(!HAVE_REDIS)('the Redis of the sessions goes away', () => {
  let redis: RedisServer;
  let server: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    server = await startTestServer(
      { logLevel: 'info', session: { backend: 'redis', redisUrl: redis.url } },
      { log: createLogger('info', (line) => void lines.push(line)) },
    );
  });
  afterAll(async () => {
    await server.stop();
    await redis.stop();
  });

  test('an event that must read its session answers SERVICE_UNAVAILABLE, not a 500, and says why in the log', async () => {
    const alice = await server.userWithSession('alice');
    await redis.stop();
    const ws = await server.open({ cookie: alice.cookie });
    const reply = await ws.call('query', 'probe.whoami');
    expect(reply.error?.data.code).toBe('SERVICE_UNAVAILABLE');
    expect(lines.some((line) => line.includes('redis:'))).toBe(true);
    await ws.close();
  });
});
