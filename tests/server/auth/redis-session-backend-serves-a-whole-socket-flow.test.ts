import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import Redis from 'ioredis';
import { createStatehouse, loadConfig } from '../../../server';
import { createLogger } from '../../../server/log';
import { createTestDatabase, createTestUser } from '../../helpers/db';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { startTestServer, testRouter, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'correct horse battery';

/**
 * One whole journey with `session.backend: 'redis'`, through real sockets,
 * the cookie endpoint and a real redis-server: nothing of it may fall back
 * on the database's session tables.
 */
describe.skipIf(!HAVE_REDIS)('the redis session backend serves a whole socket flow', () => {
  let redis: RedisServer;
  let admin: Redis;
  let server: TestServer;

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await admin.quit();
    await redis.stop();
  });
  beforeEach(async () => {
    await admin.flushall();
    server = await startTestServer({ session: { backend: 'redis', redisUrl: redis.url } });
  });
  afterEach(async () => {
    await server?.stop();
  });

  /** Redeems a sync action's ticket as the tab does; answers the cookie it buys. */
  async function cookieOf(action: { ticket: string }): Promise<string> {
    const res = await fetch(`${server.url}/auth/session`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ ticket: action.ticket }),
    });
    expect(res.status).toBe(204);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }

  async function login(ws: TestSocket): Promise<string> {
    const signedIn = await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    expect(signedIn.data).toEqual({ username: 'alice' });
    return cookieOf(signedIn.actions[0]);
  }

  async function sessionRowsInTheDatabase(): Promise<number> {
    const { rows } = await server.db.client.execute('SELECT (SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM session_data) AS n');
    return Number(rows[0]!.n);
  }

  test('login carries the anonymous data over, two tabs write different keys, logout everywhere ends every session', async () => {
    expect(server.statehouse.runtime.sessions.name).toBe('redis');
    const alice = await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });

    // An anonymous visitor's first write creates the session, in Redis.
    const tab = await server.open();
    const firstWrite = await tab.ok('mutation', 'probe.sessionSet', { key: 'cart', value: 'apple' });
    expect(firstWrite.actions[0]).toMatchObject({ type: 'syncCookieThenNavigate' });
    await cookieOf(firstWrite.actions[0]);

    // Login rotates it: a new id, the cart carried over, the old session gone.
    const anonymousId = (await admin.keys('statehouse:session:*'))[0]!.split(':').at(-1)!;
    const cookie = await login(tab);
    expect(await admin.exists(`statehouse:session:${anonymousId}`)).toBe(0);
    expect((await tab.ok('query', 'probe.sessionGet', { key: 'cart' })).data).toBe('apple');

    // Two tabs of the session, each reading the data, then writing its own key.
    const other = await server.open({ cookie });
    expect((await other.ok('query', 'probe.whoami')).data.username).toBe('alice');
    expect((await tab.ok('query', 'probe.sessionKeys')).data).toEqual(['cart']);
    expect((await other.ok('query', 'probe.sessionKeys')).data).toEqual(['cart']);
    await Promise.all([
      tab.ok('mutation', 'probe.sessionSet', { key: 'theme', value: 'dark' }),
      other.ok('mutation', 'probe.sessionSet', { key: 'draft', value: 'kept' }),
    ]);
    const fresh = await server.open({ cookie });
    expect((await fresh.ok('query', 'probe.sessionKeys')).data).toEqual(['cart', 'draft', 'theme']);
    await fresh.close();

    // A second device, then "sign out other sessions" and logout: every session ends, every tab is told.
    const phone = await server.open();
    await login(phone);
    expect(await admin.scard(`statehouse:user-sessions:${alice.id}`)).toBe(2);
    const listed = (await tab.ok('query', 'auth.sessions')).data as { current: boolean }[];
    expect(listed.map((s) => s.current).sort()).toEqual([false, true]);
    await Promise.all([phone.subscribeState(), other.subscribeState()]);
    expect((await tab.ok('mutation', 'auth.revokeOtherSessions')).data).toEqual({ ended: 1 });
    await phone.waitForPushes(2);
    expect(phone.pushes[1].actions[0].type).toBe('clearAuthThenNavigate');
    await tab.ok('mutation', 'auth.logout');
    await other.waitForPushes(2);
    expect(other.pushes[1].actions[0].type).toBe('clearAuthThenNavigate');
    for (const ws of [tab, other, phone]) expect((await ws.call('query', 'probe.secret')).error?.data.code).toBe('UNAUTHORIZED');

    // Nothing of them is left: no session, no data, no index in Redis; no row in the database.
    expect(await admin.keys('statehouse:session*')).toEqual([]);
    expect(await admin.exists(`statehouse:user-sessions:${alice.id}`)).toBe(0);
    expect(await sessionRowsInTheDatabase()).toBe(0);
    await Promise.all([tab.close(), other.close(), phone.close()]);
  });

  test('stop() closes the Redis connection it opened', async () => {
    const sessions = server.statehouse.runtime.sessions;
    await server.stop();
    await expect(sessions.find('x'.repeat(32))).rejects.toThrow();
  });
});

describe('a start with the redis session backend and no Redis URL', () => {
  test('is refused with a message naming SESSION_REDIS_URL, also with a config built by hand', async () => {
    expect(() => loadConfig({ env: 'test', session: { backend: 'redis' } }, {})).toThrow('SESSION_REDIS_URL');
    const db = await createTestDatabase();
    try {
      const base = loadConfig({ env: 'test' }, {});
      const config = { ...base, session: { ...base.session, backend: 'redis' as const } };
      const started = createStatehouse({ router: testRouter, config, database: db, log: createLogger('silent') });
      await expect(started).rejects.toThrow('session.redisUrl: SESSION_BACKEND=redis needs SESSION_REDIS_URL');
    } finally {
      db.cleanup();
    }
  });
});
