import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import Redis from 'ioredis';
import { join } from 'node:path';
import { openMigratedDatabase, type DatabaseHandle } from '../../../db/client';
import { loadConfig } from '../../../server/config';
import { sessionSettingsOf } from '../../../server/runtime';
import { createSession } from '../../../server/auth/session';
import { openSessionBackend } from '../../../server/auth/open-session-backend';
import type { SessionBackend } from '../../../server/auth/session-backend';
import { createUser } from '../../../server/auth/users';
import { createTempDir, TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { TestSocket } from '../../helpers/socket-client';
import { spawnNode, type NodeProcess } from '../../helpers/spawn-node';
import { waitFor } from '../../helpers/wait-for';

/**
 * Three Statehouse processes on one WAL database file and one Redis: what a
 * deployment behind a load balancer looks like. Once with sessions in the
 * database, once in Redis (`SESSION_BACKEND=redis`, on the bus's Redis).
 */
describe.skipIf(!HAVE_REDIS).each(['libsql', 'redis'] as const)('three processes, one database, one Redis (%s sessions)', (backend) => {
  let redis: RedisServer;
  let nodes: NodeProcess[] = [];
  let db: DatabaseHandle;
  let sessions: SessionBackend;
  let env: Record<string, string>;
  const settings = sessionSettingsOf(loadConfig({}, {}));

  beforeAll(async () => {
    redis = await startRedis();
    const dir = createTempDir('statehouse-cluster-');
    const databaseUrl = `file:${join(dir, 'shared.db')}`;
    env = { DATABASE_URL: databaseUrl, BUS_URL: redis.url, SESSION_BACKEND: backend, LOG_LEVEL: 'warn', LANGUAGES: 'en,ar' };
    // All three start together on an empty file: the migrations must not race.
    nodes = await Promise.all([spawnNode(env), spawnNode(env), spawnNode(env)]);
    db = await openMigratedDatabase(databaseUrl);
    sessions = await openSessionBackend(loadConfig({ busUrl: redis.url, session: { backend } }, {}), db.db);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await sessions?.close();
    db?.close();
    await redis?.stop();
  });

  async function userSession(username: string) {
    const created = await createUser(db.db, { username, password: 'cluster password 1' }, { hashing: TEST_HASHING, rules: TEST_RULES });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const { token } = await createSession(sessions, settings, { userId: created.value.id });
    return { userId: created.value.id, cookie: `statehouse_session=${token}` };
  }

  /** Runs `bun run manage` against the cluster's database and Redis; answers its exit code. */
  function manage(...args: string[]): Promise<number> {
    return Bun.spawn(['bun', 'server/cli/manage.ts', ...args], { env: { ...process.env, ...env }, stdout: 'ignore', stderr: 'inherit' })
      .exited;
  }

  /** Waits until a closed tab's process has kept it in Redis (its close arrives there after the client's). */
  async function stashed(tabId: string): Promise<void> {
    const raw = new Redis(redis.url);
    try {
      await waitFor(async () => (await raw.exists(`statehouse:resume:tab:${tabId}`)) === 1, { what: `tab ${tabId} in the stash` });
    } finally {
      raw.disconnect();
    }
  }

  test('all three started on one empty database file', () => {
    expect(nodes).toHaveLength(3);
  });

  test('a logout on process A signs out the same session’s tab on process B within a second', async () => {
    const alice = await userSession('alice');
    const onA = await TestSocket.open(nodes[0]!.url, { cookie: alice.cookie });
    const onB = await TestSocket.open(nodes[1]!.url, { cookie: alice.cookie });
    await onB.subscribeState();
    expect((await onB.ok('query', 'probe.secret')).data).toBe('hello alice');
    const started = performance.now();
    await onA.ok('mutation', 'auth.logout');
    await onB.waitForPushes(2, 1000);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(onB.pushes[1].actions[0].type).toBe('clearAuthThenNavigate');
    expect((await onB.call('query', 'probe.secret')).error?.data.code).toBe('UNAUTHORIZED');
    await onA.close();
    await onB.close();
  });

  test('a language chosen on process A reaches the same session’s tab on process C at once', async () => {
    const lena = await userSession('lena');
    const onA = await TestSocket.open(nodes[0]!.url, { cookie: lena.cookie });
    const onC = await TestSocket.open(nodes[2]!.url, { cookie: lena.cookie });
    expect((await onC.subscribeState()).delta.i18n).toEqual({ language: 'en', dir: 'ltr' });
    await onA.ok('mutation', 'i18n.setLanguage', { language: 'ar' });
    await onC.waitForPushes(2, 1000);
    expect(onC.pushes[1]).toEqual({ delta: { i18n: { language: 'ar', dir: 'rtl' } }, actions: [] });
    // And C's next event reads it without asking the database again.
    expect((await onC.ok('query', 'i18n.messages')).data).toMatchObject({ language: 'ar', dir: 'rtl' });
    await onA.close();
    await onC.close();
  });

  test('a reconnecting tab lands on another process and resumes authenticated', async () => {
    const bob = await userSession('bob');
    const first = await TestSocket.open(nodes[0]!.url, { cookie: bob.cookie, tabId: 'tab-bob-1' });
    await first.ok('mutation', 'probe.sessionSet', { key: 'draft', value: 'kept' });
    await first.close();
    const again = await TestSocket.open(nodes[2]!.url, { cookie: bob.cookie, tabId: 'tab-bob-1' });
    expect((await again.ok('query', 'probe.whoami')).data.username).toBe('bob');
    expect((await again.ok('query', 'probe.sessionGet', { key: 'draft' })).data).toBe('kept');
    await again.close();
  });

  test('a push made on process A reaches the user’s tabs on A, B and C at once, and no one else’s', async () => {
    const fay = await userSession('fay');
    const gil = await userSession('gil');
    const tabs = await Promise.all(nodes.map((node) => TestSocket.open(node.url, { cookie: fay.cookie })));
    const others = await TestSocket.open(nodes[1]!.url, { cookie: gil.cookie });
    await Promise.all([...tabs, others].map((ws) => ws.subscribeState()));
    await tabs[0]!.ok('mutation', 'probe.pushTab', { userId: fay.userId, tab: 'pushed-from-a' });
    for (const ws of tabs) {
      await ws.waitForPushes(2, 1000);
      expect(ws.pushes[1]).toEqual({ delta: { dashboard: { tab: 'pushed-from-a' } }, actions: [] });
    }
    // Each process's slice values followed: the same value again changes nothing anywhere.
    for (const ws of tabs)
      expect((await ws.ok('mutation', 'probe.setTab', { tab: 'pushed-from-a' })).delta.dashboard).toEqual({ lastPath: '/' });
    await others.ok('query', 'probe.whoami');
    expect(others.pushes).toHaveLength(1);
    for (const ws of [...tabs, others]) await ws.close();
  });

  test('a toast from the command line reaches the user’s tabs on every process', async () => {
    const hal = await userSession('hal');
    const tabs = await Promise.all(nodes.map((node) => TestSocket.open(node.url, { cookie: hal.cookie })));
    await Promise.all(tabs.map((ws) => ws.subscribeState()));
    expect(await manage('toast', 'Your export is ready', '--user', 'hal', '--kind', 'success')).toBe(0);
    for (const ws of tabs) {
      await ws.waitForPushes(2, 2000);
      expect(ws.pushes[1]).toEqual({ delta: {}, actions: [{ type: 'toast', kind: 'success', message: 'Your export is ready' }] });
      await ws.close();
    }
  });

  test('a tab closed on process A resumes its slices on process C', async () => {
    const ida = await userSession('ida');
    const first = await TestSocket.open(nodes[0]!.url, { cookie: ida.cookie, tabId: 'tab-ida-1' });
    await first.ok('mutation', 'probe.setTab', { tab: 'kept-across' });
    await first.ok('mutation', 'probe.bump');
    await first.close();
    await stashed('tab-ida-1');
    const again = await TestSocket.open(nodes[2]!.url, { cookie: ida.cookie, tabId: 'tab-ida-1' });
    expect((await again.subscribeState()).delta.dashboard).toEqual({ tab: 'kept-across', lastPath: '/', counter: 1 });
    expect((await again.ok('mutation', 'probe.bump')).data).toBe(2);
    await again.close();
  });

  test('a process stopped for a deploy hands its open tabs’ slices to the others', async () => {
    const jo = await userSession('jo');
    const leaving = await spawnNode(env);
    const tab = await TestSocket.open(leaving.url, { cookie: jo.cookie, tabId: 'tab-jo-1' });
    await tab.ok('mutation', 'probe.setTab', { tab: 'before-deploy' });
    await leaving.stop();
    expect(await tab.waitClosed()).not.toBeNull();
    // A graceful stop has written the stash before the process exits: the first reconnect finds it.
    const again = await TestSocket.open(nodes[1]!.url, { cookie: jo.cookie, tabId: 'tab-jo-1' });
    expect((await again.subscribeState()).delta.dashboard.tab).toBe('before-deploy');
    await again.close();
  });

  test('failed logins share one budget across processes', async () => {
    await userSession('carol');
    const onA = await TestSocket.open(nodes[0]!.url);
    const onC = await TestSocket.open(nodes[2]!.url);
    const fail = (ws: TestSocket) => ws.call('mutation', 'auth.login', { loginId: 'carol', password: 'wrong password' });
    // Five free failures by default, spread over two processes; the sixth locks the account everywhere.
    for (const ws of [onA, onC, onA, onC, onA, onC]) expect((await fail(ws)).error?.data.code).toBe('UNAUTHORIZED');
    expect((await fail(onA)).error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect((await fail(onC)).error?.data.code).toBe('TOO_MANY_REQUESTS');
    await onA.close();
    await onC.close();
  });

  test('a password changed from the command line signs out open tabs on every process at once', async () => {
    const erin = await userSession('erin');
    const tabs = await Promise.all([0, 2].map((i) => TestSocket.open(nodes[i]!.url, { cookie: erin.cookie })));
    await Promise.all(tabs.map((ws) => ws.subscribeState()));
    expect(await manage('changepassword', 'erin', '--password', 'a new cluster secret')).toBe(0);
    for (const ws of tabs) {
      await ws.waitForPushes(2, 2000);
      expect(ws.pushes[1].actions[0].type).toBe('clearAuthThenNavigate');
      await ws.close();
    }
  });

  test('killing one process loses no session', async () => {
    const dave = await userSession('dave');
    const onB = await TestSocket.open(nodes[1]!.url, { cookie: dave.cookie });
    expect((await onB.ok('query', 'probe.whoami')).data.username).toBe('dave');
    await nodes[1]!.kill9();
    expect(await onB.waitClosed()).not.toBeNull();
    for (const node of [nodes[0]!, nodes[2]!]) {
      const ws = await TestSocket.open(node.url, { cookie: dave.cookie });
      expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('dave');
      await ws.close();
    }
  });
});
