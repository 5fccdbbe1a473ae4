import { afterEach, describe, expect, test } from 'bun:test';
import { count } from 'drizzle-orm';
import { Elysia } from 'elysia';
import { sessionData, sessions } from '../../../db/schema';
import { identity, type StatehouseConfigInput } from '../../../server';
import type { Runtime } from '../../../server/runtime';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { startTestServer, type TestServer } from '../../helpers/server';

/** New anonymous sessions an address may create at once; no refill within a test. */
const BURST = 3;
const BUDGET: StatehouseConfigInput = {
  trustedProxies: ['127.0.0.1'],
  rateLimit: { anonymousSessionBurst: BURST, anonymousSessionsPerMinute: 0.001 },
};

function api(runtime: Runtime) {
  return new Elysia({ name: 'test-theme-api' }).use(identity(runtime)).post('/api/theme', async ({ session, body }) => {
    await session.set('theme', (body as { theme: string }).theme);
    return { sessionId: session.id };
  });
}

const servers: TestServer[] = [];
let redis: RedisServer | null = null;
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  await redis?.stop();
  redis = null;
});

async function start(config: StatehouseConfigInput = {}): Promise<TestServer> {
  const server = await startTestServer({ ...BUDGET, ...config }, { http: api });
  servers.push(server);
  return server;
}

async function rows(server: TestServer): Promise<{ sessions: number; data: number }> {
  const [s] = await server.db.db.select({ n: count() }).from(sessions);
  const [d] = await server.db.db.select({ n: count() }).from(sessionData);
  return { sessions: s!.n, data: d!.n };
}

/** A fresh tab without a cookie switches its language: the write that creates a session. */
async function switchLanguageInNewTab(server: TestServer, from = '203.0.113.7') {
  const ws = await server.open({ headers: { 'x-forwarded-for': from } });
  const reply = await ws.call('mutation', 'i18n.setLanguage', { language: 'en' });
  await ws.close();
  return reply;
}

function postTheme(server: TestServer, from: string, cookie?: string): Promise<Response> {
  const headers: Record<string, string> = { origin: server.url, 'content-type': 'application/json', 'x-forwarded-for': from };
  if (cookie) headers.cookie = cookie;
  return fetch(`${server.url}/api/theme`, { method: 'POST', headers, body: JSON.stringify({ theme: 'dark' }) });
}

describe('anonymous session creation per address', () => {
  test('over the socket: past the budget a write answers TOO_MANY_REQUESTS and creates no row', async () => {
    const server = await start();
    for (let i = 0; i < BURST; i++) expect((await switchLanguageInNewTab(server)).result).toBeDefined();
    expect(await rows(server)).toEqual({ sessions: BURST, data: BURST });

    const refused = await switchLanguageInNewTab(server);
    expect(refused.error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.error!.data.statehouse.retryAfter).toBeGreaterThanOrEqual(1);
    expect(await rows(server)).toEqual({ sessions: BURST, data: BURST });

    // Another address has its own budget.
    expect((await switchLanguageInNewTab(server, '198.51.100.9')).result).toBeDefined();
    expect((await rows(server)).sessions).toBe(BURST + 1);
  });

  test('a visitor that has a session keeps writing it, and signed-in users are not counted', async () => {
    const server = await start();
    const ws = await server.open({ headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect((await ws.call('mutation', 'i18n.setLanguage', { language: 'en' })).result).toBeDefined();
    for (let i = 1; i < BURST; i++) expect((await switchLanguageInNewTab(server)).result).toBeDefined();
    // The budget is spent, but this tab's session exists: its writes go on.
    for (let i = 0; i < 5; i++) expect((await ws.call('mutation', 'probe.sessionSet', { key: `k${i}`, value: 'v' })).result).toBeDefined();
    await ws.close();
    const alice = await server.userWithSession('alice');
    const signedIn = await server.open({ cookie: alice.cookie, headers: { 'x-forwarded-for': '203.0.113.7' } });
    expect((await signedIn.call('mutation', 'i18n.setLanguage', { language: 'en' })).result).toBeDefined();
    await signedIn.close();
    expect((await rows(server)).sessions).toBe(BURST + 1);
  });

  test('over HTTP: past the budget a write answers 429 with Retry-After, sets no cookie and creates no row', async () => {
    const server = await start();
    for (let i = 0; i < BURST; i++) {
      const res = await postTheme(server, '203.0.113.7');
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toContain('statehouse_session=');
    }
    const refused = await postTheme(server, '203.0.113.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect((await refused.json()).error).toBe('too_many_requests');
    expect(await rows(server)).toEqual({ sessions: BURST, data: BURST });
    // The socket and HTTP draw on the same budget.
    expect((await switchLanguageInNewTab(server)).error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect((await postTheme(server, '198.51.100.9')).status).toBe(200);
  });

  test.skipIf(!HAVE_REDIS)('with BUS_URL, every process draws on one budget', async () => {
    redis = await startRedis();
    const first = await start({ busUrl: redis.url });
    const second = await start({ busUrl: redis.url });
    let served = 0;
    for (let i = 0; i < BURST + 2; i++) {
      const reply = await switchLanguageInNewTab(i % 2 ? second : first, '192.0.2.44');
      if (reply.result) served++;
      else expect(reply.error?.data.code).toBe('TOO_MANY_REQUESTS');
    }
    expect(served).toBe(BURST);
  });
});
