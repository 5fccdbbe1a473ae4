import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import Redis from 'ioredis';
import type { StatehouseConfigInput } from '../../../server';
import { sessionTag } from '../../../server/auth/session';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { dashboard, startTestServer, type TestServer } from '../../helpers/server';
import { waitFor } from '../../helpers/wait-for';

const entryKey = (tabId: string) => `statehouse:resume:tab:${tabId}`;

/**
 * With BUS_URL the resume stash lives in Redis: two servers on one database
 * and one Redis stand for two processes behind a load balancer.
 */
describe.skipIf(!HAVE_REDIS)('the resume stash in Redis', () => {
  let redis: RedisServer;
  let raw: Redis;
  let servers: TestServer[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
  });

  afterAll(async () => {
    raw?.disconnect();
    await redis?.stop();
  });

  afterEach(async () => {
    // The first owns the database: it stops last.
    for (const server of servers.reverse()) await server.stop();
    servers = [];
    await raw.flushall();
  });

  /** Processes sharing one database and one Redis. */
  async function processes(count: number, config: StatehouseConfigInput = {}): Promise<TestServer[]> {
    const first = await startTestServer({ ...config, busUrl: redis.url });
    servers = [first];
    for (let i = 1; i < count; i++) servers.push(await startTestServer({ ...config, busUrl: redis.url }, { database: first.db }));
    return servers;
  }

  const stashed = (tabId: string) => waitFor(async () => (await raw.exists(entryKey(tabId))) === 1, { what: `tab ${tabId} in Redis` });

  test('a tab closed on one process resumes its slices on another, once', async () => {
    const [a, b] = await processes(2);
    const alice = await a!.userWithSession('alice');
    const first = await a!.open({ cookie: alice.cookie, tabId: 'tab-moves-1' });
    await first.ok('mutation', 'probe.setTab', { tab: 'kept' });
    await first.ok('mutation', 'probe.bump');
    await first.close();
    await stashed('tab-moves-1');

    const again = await b!.open({ cookie: alice.cookie, tabId: 'tab-moves-1' });
    const full = await again.subscribeState();
    expect(full.delta.dashboard).toEqual({ tab: 'kept', lastPath: '/', counter: 1 });
    expect(await raw.exists(entryKey('tab-moves-1'))).toBe(0);
    // B's slice values are the resumed ones: the same value changes nothing, the counter goes on.
    expect((await again.ok('mutation', 'probe.setTab', { tab: 'kept' })).delta.dashboard).toBeUndefined();
    expect((await again.ok('mutation', 'probe.bump')).data).toBe(2);
    await again.close();
  });

  test('a process that stops keeps its open tabs for another (a deploy loses nothing)', async () => {
    const [a, b] = await processes(2);
    const alice = await a!.userWithSession('alice');
    const onB = await b!.open({ cookie: alice.cookie, tabId: 'tab-deploy-1' });
    await onB.ok('mutation', 'probe.setTab', { tab: 'before-deploy' });
    await b!.stop();
    servers.pop();
    expect(await onB.waitClosed()).not.toBeNull();
    expect(await raw.exists(entryKey('tab-deploy-1'))).toBe(1);

    const onA = await a!.open({ cookie: alice.cookie, tabId: 'tab-deploy-1' });
    expect((await onA.subscribeState()).delta.dashboard.tab).toBe('before-deploy');
    await onA.close();
  });

  test("is bound to the session: another user's tab with the same id starts afresh, and the entry is gone", async () => {
    const [a, b] = await processes(2);
    const alice = await a!.userWithSession('alice');
    const bob = await a!.userWithSession('bob');
    const first = await a!.open({ cookie: alice.cookie, tabId: 'tab-shared-id' });
    await first.ok('mutation', 'probe.setTab', { tab: 'alice-only' });
    await first.close();
    await stashed('tab-shared-id');
    const stored = JSON.parse((await raw.get(entryKey('tab-shared-id')))!);
    // The session's tag, never its id.
    expect(stored.session).toBe(sessionTag(alice.sessionId));
    expect(JSON.stringify(stored)).not.toContain(alice.sessionId);

    const bobs = await b!.open({ cookie: bob.cookie, tabId: 'tab-shared-id' });
    const full = await bobs.subscribeState();
    expect(full.delta.dashboard.tab).toBe('overview');
    expect(full.delta.auth.username).toBe('bob');
    await bobs.close();
    // Taking it discarded it: not even Alice gets it back now (Bob's closed tab is stashed under his session).
    await stashed('tab-shared-id');
    const alices = await a!.open({ cookie: alice.cookie, tabId: 'tab-shared-id' });
    expect((await alices.subscribeState()).delta.dashboard.tab).toBe('overview');
    await alices.close();
  });

  test("an anonymous tab's slices never come back to a signed-in tab", async () => {
    const [a, b] = await processes(2);
    const anonymous = await a!.open({ tabId: 'tab-anon-1' });
    await anonymous.ok('mutation', 'probe.setTab', { tab: 'anonymous' });
    await anonymous.close();
    await stashed('tab-anon-1');
    const alice = await b!.userWithSession('alice');
    const signedIn = await b!.open({ cookie: alice.cookie, tabId: 'tab-anon-1' });
    expect((await signedIn.subscribeState()).delta.dashboard.tab).toBe('overview');
    await signedIn.close();
  });

  test('holds at most socket.resumeStashMax tabs, every process together: the oldest make room', async () => {
    const [a, b] = await processes(2, { socket: { resumeStashMax: 2 } });
    const alice = await a!.userWithSession('alice');
    for (const [server, tab] of [
      [a!, 'a'],
      [b!, 'b'],
      [a!, 'c'],
    ] as const) {
      const ws = await server.open({ cookie: alice.cookie, tabId: `tab-capped-${tab}` });
      await ws.ok('mutation', 'probe.setTab', { tab: `kept-${tab}` });
      await ws.close();
      await stashed(`tab-capped-${tab}`);
    }
    expect(await raw.exists(entryKey('tab-capped-a'))).toBe(0);
    expect(await raw.zcard('statehouse:resume:index')).toBe(2);
    const oldest = await b!.open({ cookie: alice.cookie, tabId: 'tab-capped-a' });
    expect((await oldest.subscribeState()).delta.dashboard.tab).toBe('overview');
    const newest = await b!.open({ cookie: alice.cookie, tabId: 'tab-capped-c' });
    expect((await newest.subscribeState()).delta.dashboard.tab).toBe('kept-c');
    await oldest.close();
    await newest.close();
  });

  test('keeps no tab whose slices are larger than socket.resumeStashEntryMaxBytes', async () => {
    const [a, b] = await processes(2, { socket: { resumeStashEntryMaxBytes: 600 } });
    const alice = await a!.userWithSession('alice');
    const small = await a!.open({ cookie: alice.cookie, tabId: 'tab-small-1' });
    const large = await a!.open({ cookie: alice.cookie, tabId: 'tab-large-1', path: `/${'p'.repeat(1_000)}` });
    for (const ws of [small, large]) {
      await ws.ok('mutation', 'probe.setTab', { tab: 'kept' });
      await ws.close();
    }
    await stashed('tab-small-1');
    expect(await raw.exists(entryKey('tab-large-1'))).toBe(0);
    const again = await b!.open({ cookie: alice.cookie, tabId: 'tab-large-1' });
    expect((await again.subscribeState()).delta.dashboard.tab).toBe('overview');
    await again.close();
  });

  test('lets an entry expire after socket.resumeGraceMs', async () => {
    const [a, b] = await processes(2, { socket: { resumeGraceMs: 300 } });
    const alice = await a!.userWithSession('alice');
    const first = await a!.open({ cookie: alice.cookie, tabId: 'tab-expires-1' });
    await first.ok('mutation', 'probe.setTab', { tab: 'too-late' });
    await first.close();
    await stashed('tab-expires-1');
    await waitFor(async () => (await raw.exists(entryKey('tab-expires-1'))) === 0, { what: 'the entry to expire' });
    const again = await b!.open({ cookie: alice.cookie, tabId: 'tab-expires-1' });
    expect((await again.subscribeState()).delta.dashboard.tab).toBe('overview');
    await again.close();
  });

  test('checks what it reads back: a malformed entry is dropped, a field of the wrong kind or an unknown slice left behind', async () => {
    const [a] = await processes(1);
    const alice = await a!.userWithSession('alice');
    const session = sessionTag(alice.sessionId);
    await raw.set(entryKey('tab-garbage-1'), 'not json', 'PX', 60_000);
    await raw.set(entryKey('tab-garbage-2'), JSON.stringify({ session, slices: 'all of them' }), 'PX', 60_000);
    await raw.set(
      entryKey('tab-mixed-1'),
      JSON.stringify({ session, slices: { dashboard: { tab: 'kept', counter: 'many', extra: 1 }, ghost: { x: 1 } } }),
      'PX',
      60_000,
    );
    for (const tabId of ['tab-garbage-1', 'tab-garbage-2']) {
      const ws = await a!.open({ cookie: alice.cookie, tabId });
      expect((await ws.subscribeState()).delta.dashboard).toEqual({ tab: 'overview', lastPath: '', counter: 0 });
      await ws.close();
    }
    const mixed = await a!.open({ cookie: alice.cookie, tabId: 'tab-mixed-1' });
    const full = await mixed.subscribeState();
    expect(full.delta.dashboard).toEqual({ tab: 'kept', lastPath: '', counter: 0 });
    expect(full.delta.ghost).toBeUndefined();
    await mixed.close();
  });

  /** Holds every write (and every script) of every Redis client until `unpause`, as a stalled Redis would. */
  const pauseWrites = () => raw.call('CLIENT', 'PAUSE', '60000', 'WRITE');
  const unpause = () => raw.call('CLIENT', 'UNPAUSE');

  test('a stalled Redis does not stall a reconnecting tab: past socket.resumeTakeTimeoutMs it starts afresh', async () => {
    const [a, b] = await processes(2, { socket: { resumeTakeTimeoutMs: 100 } });
    const alice = await a!.userWithSession('alice');
    const first = await a!.open({ cookie: alice.cookie, tabId: 'tab-stalled-1' });
    await first.ok('mutation', 'probe.setTab', { tab: 'kept' });
    await first.close();
    await stashed('tab-stalled-1');
    await pauseWrites();
    try {
      const again = await b!.open({ cookie: alice.cookie, tabId: 'tab-stalled-1' });
      // Redis answers nothing until unpaused: the tab is set up without its stashed slices.
      expect((await again.subscribeState()).delta.dashboard.tab).toBe('overview');
      expect((await again.ok('mutation', 'probe.bump')).data).toBe(1);
      await again.close();
    } finally {
      await unpause();
    }
  });

  test('a push that reaches the tab while its slices come back from Redis goes on top of them', async () => {
    const [a, b] = await processes(2, { socket: { resumeTakeTimeoutMs: 30_000 } });
    const alice = await a!.userWithSession('alice');
    const first = await a!.open({ cookie: alice.cookie, tabId: 'tab-pushed-1' });
    await first.ok('mutation', 'probe.setTab', { tab: 'stashed' });
    await first.ok('mutation', 'probe.bump');
    await first.close();
    await stashed('tab-pushed-1');
    await pauseWrites();
    const again = await b!.open({ cookie: alice.cookie, tabId: 'tab-pushed-1' });
    try {
      const registry = b!.statehouse.runtime.registry;
      const tab = () => [...registry.ofUser(alice.userId)].find((conn) => conn.tabId === 'tab-pushed-1');
      // Bound to Alice, its slices still in Redis: a job pushes to her tabs (published once Redis answers again).
      await waitFor(() => tab() !== undefined, { what: 'the tab bound to its user' });
      const published = b!.statehouse.push({ userId: alice.userId }, dashboard, { tab: 'pushed' });
      await waitFor(() => tab()?.slices.get('dashboard')?.tab === 'pushed', { what: 'the push applied to the tab' });
      await unpause();
      await published;
    } finally {
      await unpause();
    }
    const full = await again.subscribeState();
    // The stash's counter, the push's tab: the newer value wins, field by field.
    expect(full.delta.dashboard).toEqual({ tab: 'pushed', lastPath: '/', counter: 1 });
    expect((await again.ok('mutation', 'probe.setTab', { tab: 'pushed' })).delta.dashboard).toBeUndefined();
    await again.close();
  });
});
