import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ConfigError } from '../../../server/config';
import { connectPusher, defineSlice, PushError } from '../../../server';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { dashboard, startTestServer, type TestServer } from '../../helpers/server';

describe('connectPusher', () => {
  test('refuses to start without BUS_URL: no server would hear it', async () => {
    const error = await connectPusher({ env: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0]?.key).toBe('busUrl');
  });
});

describe.skipIf(!HAVE_REDIS)('a process without a server', () => {
  let redis: RedisServer;
  let server: TestServer;

  beforeAll(async () => {
    redis = await startRedis();
    server = await startTestServer({ busUrl: redis.url });
  });

  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  test("pushes slice fields and a toast to a user's open tabs on a server, over Redis", async () => {
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    const statehouse = await connectPusher({ slices: [dashboard], config: { busUrl: redis.url } });
    try {
      await statehouse.push({ userId: alice.userId }, dashboard, { tab: 'from-a-job' });
      await statehouse.toast({ userId: alice.userId }, 'success', 'Export ready');
    } finally {
      await statehouse.close();
    }
    await ws.waitForPushes(3);
    expect(ws.pushes.slice(1)).toEqual([
      { delta: { dashboard: { tab: 'from-a-job' } }, actions: [] },
      { delta: {}, actions: [{ type: 'toast', kind: 'success', message: 'Export ready' }] },
    ]);
    // The server's slice values followed: setting the same value changes nothing.
    expect((await ws.ok('mutation', 'probe.setTab', { tab: 'from-a-job' })).delta.dashboard).toEqual({ lastPath: '/' });
    await ws.close();
  });

  test("connects in production whatever the server's mail settings: it reads only the bus, its prefix and push.maxBytes", async () => {
    // A server refuses NODE_ENV=production with the console mail backend; a job runner sends no mail.
    const env = { NODE_ENV: 'production', BUS_URL: redis.url, REDIS_PREFIX: 'statehouse', PUSH_MAX_BYTES: '64' };
    const statehouse = await connectPusher({ slices: [dashboard], env });
    try {
      const error = await statehouse.push({ all: true }, dashboard, { tab: 'x'.repeat(100) }).catch((e: unknown) => e);
      expect((error as PushError).code).toBe('TOO_LARGE');
    } finally {
      await statehouse.close();
    }
  });

  test('checks its pushes against the slices it was given, before publishing', async () => {
    const other = defineSlice('other', { n: 0 });
    const statehouse = await connectPusher({ slices: [dashboard], config: { busUrl: redis.url } });
    try {
      // @ts-expect-error: not one of the slices it was given
      const error = await statehouse.push({ all: true }, other, { n: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PushError);
      expect((error as PushError).code).toBe('UNKNOWN_SLICE');
    } finally {
      await statehouse.close();
    }
  });
});
