import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { sessions } from '../../../db/schema';
import { currentRequest, currentUser, requireLoginUser } from '../../../server';
import { CACHE_TTL_SPREAD, cacheUntil, resolveSession } from '../../../server/bridge/session-cache';
import { startTestServer, type TestServer } from '../../helpers/server';
import { upgradeStatus } from '../../helpers/socket-client';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
});

describe('identity per event from the cookie mirror', () => {
  test('an event on a socket opened with a session cookie sees that user', async () => {
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    const { data } = await ws.ok('query', 'probe.whoami');
    expect(data).toMatchObject({ userId: alice.userId, username: 'alice', isAuthenticated: true });
    await ws.close();
  });

  test('without a cookie the user is anonymous, not an error', async () => {
    const ws = await server.open();
    const { data } = await ws.ok('query', 'probe.whoami');
    expect(data).toMatchObject({ userId: null, username: '', isAuthenticated: false });
    await ws.close();
  });

  test('a forged or malformed cookie is anonymous', async () => {
    const alice = await server.userWithSession('alice');
    const [id] = alice.token.split('.');
    for (const token of [`${id}.${'a'.repeat(32)}`, 'garbage', `${'b'.repeat(32)}.${'c'.repeat(32)}`, '']) {
      const ws = await server.open({ cookie: `statehouse_session=${token}` });
      const { data } = await ws.ok('query', 'probe.whoami');
      expect(data.isAuthenticated).toBe(false);
      await ws.close();
    }
  });

  test('a session revoked through the app is refused on the very next event', async () => {
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    expect((await ws.ok('query', 'probe.secret')).data).toBe('hello alice');
    const other = await server.open({ cookie: alice.cookie });
    await other.ok('mutation', 'auth.logout');
    const reply = await ws.call('query', 'probe.secret');
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    await ws.close();
    await other.close();
  });

  test('a session deleted behind the app’s back is honoured within the cache bound', async () => {
    server.statehouse.runtime.config.session.cacheTtlMs = 200;
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(true);
    await server.db.db.delete(sessions).where(eq(sessions.id, alice.sessionId));
    await Bun.sleep(250);
    const reply = await ws.ok('query', 'probe.whoami');
    expect(reply.data.isAuthenticated).toBe(false);
    // The stale cookie is dropped rather than bounced between pages.
    expect(reply.actions).toContainEqual(expect.objectContaining({ type: 'clearAuthThenNavigate' }));
    await ws.close();
  });

  test('calls in flight when the cache expires share one session query', async () => {
    const { runtime } = server.statehouse;
    runtime.config.session.cacheTtlMs = 100;
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.ok('query', 'probe.whoami');
    const client = runtime.db.$client;
    const execute = client.execute.bind(client);
    let sessionReads = 0;
    client.execute = ((statement: string | { sql: string }) => {
      const sql = typeof statement === 'string' ? statement : statement.sql;
      if (/from "sessions"/i.test(sql)) sessionReads++;
      return execute(statement);
    }) as typeof client.execute;
    try {
      await Bun.sleep(150);
      const replies = await Promise.all(Array.from({ length: 8 }, () => ws.ok('query', 'probe.whoami')));
      for (const reply of replies) expect(reply.data.userId).toBe(alice.userId);
      expect(sessionReads).toBe(1);
    } finally {
      client.execute = execute;
    }
    await ws.close();
  });

  test('a validation under way when the identity bus drops the cache is neither shared nor kept', async () => {
    const { runtime } = server.statehouse;
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.ok('query', 'probe.whoami');
    const [conn] = runtime.registry.ofSession(alice.sessionId);
    if (!conn) throw new Error('the socket is not bound to its session');
    conn.forgetValidation();
    const first = resolveSession(runtime, conn);
    expect(resolveSession(runtime, conn)).toBe(first);
    // What the bus does on a revocation or a user change while the query runs:
    conn.forgetValidation();
    await first;
    expect(conn.validated).toBeNull();
    const second = resolveSession(runtime, conn);
    expect(second).not.toBe(first);
    const fresh = await second;
    expect(conn.validated?.result).toBe(fresh);
    await ws.close();
  });

  test('cached validations end at spread-out instants within the bound, so tabs that connected together do not revalidate together', async () => {
    const now = 1_000_000;
    const ends = Array.from({ length: 2_000 }, () => cacheUntil(now, 1_000));
    for (const end of ends) {
      expect(end).toBeLessThanOrEqual(now + 1_000);
      expect(end).toBeGreaterThan(now + 1_000 * (1 - CACHE_TTL_SPREAD));
    }
    // Spread over the whole fifth, not bunched: each tenth of it holds some of them.
    const buckets = new Set(ends.map((end) => Math.floor((now + 1_000 - end) / 20)));
    expect(buckets.size).toBe(10);
    expect(cacheUntil(now, 0)).toBe(now);

    // And on a live connection: the cache it keeps after a validation ends within the bound.
    const { runtime } = server.statehouse;
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    const before = Date.now();
    await ws.ok('query', 'probe.whoami');
    const [conn] = runtime.registry.ofSession(alice.sessionId);
    const until = conn!.validated!.until;
    expect(until).toBeLessThanOrEqual(Date.now() + runtime.config.session.cacheTtlMs);
    expect(until).toBeGreaterThan(before + runtime.config.session.cacheTtlMs * (1 - CACHE_TTL_SPREAD) - 1);
    await ws.close();
  });
});

describe('route mirror', () => {
  test('the request path and query are the page the tab shows', async () => {
    const ws = await server.open({ path: '/start', query: '?a=1' });
    expect((await ws.ok('query', 'probe.whoami')).data).toMatchObject({ path: '/start', query: 'a=1' });
    // A route report sent right before an event is applied before that event runs.
    const route = ws.call('mutation', 'statehouse.route', { path: '/notes', query: '?tab=activity' });
    const who = ws.call('query', 'probe.whoami');
    await route;
    expect((await who).result?.data).toMatchObject({ data: { path: '/notes', query: 'tab=activity' } });
    await ws.close();
  });

  test('a route report is applied before the calls after it in the same batch frame', async () => {
    const ws = await server.open({ path: '/start' });
    const [route, who] = await ws.batch([
      { method: 'mutation', path: 'statehouse.route', input: { path: '/batched', query: '?x=1' } },
      { method: 'query', path: 'probe.whoami' },
    ]);
    expect(route!.error).toBeUndefined();
    expect(who!.result?.data).toMatchObject({ data: { path: '/batched', query: 'x=1' } });
    await ws.close();
  });

  test('malformed route reports are refused and change nothing', async () => {
    const ws = await server.open({ path: '/here' });
    const reply = await ws.call('mutation', 'statehouse.route', { path: 'http://evil/', query: '' });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    expect((await ws.ok('query', 'probe.whoami')).data.path).toBe('/here');
    await ws.close();
  });
});

describe('accessors', () => {
  test('currentUser() and currentRequest() work inside nested helpers of a handler', async () => {
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie, path: '/deep' });
    expect((await ws.ok('query', 'probe.whoami')).data.nested).toEqual({ userId: alice.userId, path: '/deep' });
    await ws.close();
  });

  test('outside an event the user is anonymous and the query empty, without throwing', () => {
    expect(currentUser().isAuthenticated).toBe(false);
    expect(currentRequest().query.toString()).toBe('');
    expect(() => requireLoginUser()).toThrow('Authentication required');
  });
});

describe('session store', () => {
  test('two connections writing different keys of one session both survive', async () => {
    const alice = await server.userWithSession('alice');
    const a = await server.open({ cookie: alice.cookie });
    const b = await server.open({ cookie: alice.cookie });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        a.ok('mutation', 'probe.sessionSet', { key: `a${i}`, value: `A${i}` }),
        b.ok('mutation', 'probe.sessionSet', { key: `b${i}`, value: `B${i}` }),
      ]).flat(),
    );
    const keys = (await a.ok('query', 'probe.sessionKeys')).data as string[];
    expect(keys).toHaveLength(20);
    expect((await b.ok('query', 'probe.sessionGet', { key: 'a9' })).data).toBe('A9');
    await a.close();
    await b.close();
  });

  test('an anonymous visitor’s first write creates a session and asks for a cookie sync', async () => {
    const ws = await server.open();
    const first = await ws.ok('mutation', 'probe.sessionSet', { key: 'cart', value: 'apples' });
    expect(first.actions).toEqual([{ type: 'syncCookieThenNavigate', ticket: expect.any(String), to: null, session: expect.any(String) }]);
    const second = await ws.ok('mutation', 'probe.sessionSet', { key: 'cart', value: 'pears' });
    expect(second.actions).toEqual([]);
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'cart' })).data).toBe('pears');
    await ws.close();
  });
});

describe('deltas', () => {
  test('a delta carries only the fields that changed', async () => {
    const ws = await server.open({ path: '/p' });
    const first = await ws.ok('mutation', 'probe.setTab', { tab: 'notes' });
    expect(first.delta).toEqual({ dashboard: { tab: 'notes', lastPath: '/p' } });
    const same = await ws.ok('mutation', 'probe.setTab', { tab: 'notes' });
    expect(same.delta).toEqual({});
    const bump = await ws.ok('mutation', 'probe.bump');
    expect(bump).toEqual({ data: 1, delta: { dashboard: { counter: 1 } }, actions: [] });
    await ws.close();
  });

  test('the auth snapshot rides in the delta only when it changed', async () => {
    const alice = await server.userWithSession('alice', { staff: true });
    const ws = await server.open({ cookie: alice.cookie });
    const first = await ws.ok('query', 'probe.whoami');
    expect(first.delta.auth).toMatchObject({ userId: alice.userId, username: 'alice', isAuthenticated: true, isStaff: true });
    expect((await ws.ok('query', 'probe.whoami')).delta).toEqual({});
    await ws.close();
  });

  test('the state subscription starts with every slice in full', async () => {
    const ws = await server.open();
    const push = await ws.subscribeState();
    expect(push.full).toBe(true);
    expect(push.delta.dashboard).toEqual({ lastPath: '', tab: 'overview', counter: 0 });
    expect(push.delta.auth.isAuthenticated).toBe(false);
    await ws.close();
  });
});

describe('authorization middleware', () => {
  test('anonymous callers get UNAUTHORIZED and a redirect to the login page with ?next=', async () => {
    const ws = await server.open({ path: '/notes', query: '?page=2' });
    const reply = await ws.call('query', 'probe.secret');
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    expect(reply.error?.data.statehouse.actions).toEqual([{ type: 'navigate', to: '/login?next=%2Fnotes%3Fpage%3D2' }]);
    await ws.close();
  });

  test('a user without the permission gets FORBIDDEN and an error toast', async () => {
    const bob = await server.userWithSession('bob');
    const ws = await server.open({ cookie: bob.cookie });
    const reply = await ws.call('mutation', 'probe.deleteNote');
    expect(reply.error?.data.code).toBe('FORBIDDEN');
    expect(reply.error?.data.statehouse.actions).toEqual([{ type: 'toast', kind: 'error', message: expect.any(String) }]);
    await ws.close();
  });

  test('a granted user and a superuser pass can(); an inactive superuser does not', async () => {
    const alice = await server.userWithSession('alice', { perms: ['notes.delete_note'] });
    const root = await server.userWithSession('root', { superuser: true });
    const ghost = await server.userWithSession('ghost', { superuser: true, active: false });
    for (const [cookie, expected] of [
      [alice.cookie, 'deleted by alice'],
      [root.cookie, 'deleted by root'],
    ] as const) {
      const ws = await server.open({ cookie });
      expect((await ws.ok('mutation', 'probe.deleteNote')).data).toBe(expected);
      await ws.close();
    }
    const ws = await server.open({ cookie: ghost.cookie });
    const reply = await ws.call('mutation', 'probe.deleteNote');
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    await ws.close();
  });
});

describe('transport', () => {
  test('an upgrade from a foreign or missing Origin is refused with 403', async () => {
    expect(await upgradeStatus(server.url, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(server.url, {})).toBe(403);
    await expect(server.open({ origin: 'https://evil.example' })).rejects.toThrow();
  });

  test('past socket.maxConnectionsPerAddress open sockets, an upgrade from that address is refused with 429 until one closes', async () => {
    await server.stop();
    server = await startTestServer({ socket: { maxConnectionsPerAddress: 2 } });
    const origin = new URL(server.url).origin;
    const first = await server.open();
    const second = await server.open();
    expect(server.statehouse.runtime.registry.connectionsFrom('127.0.0.1')).toBe(2);
    expect(await upgradeStatus(server.url, { origin })).toBe(429);
    await expect(server.open()).rejects.toThrow();
    // The two open sockets are untouched.
    expect((await first.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await first.close();
    await Bun.sleep(20);
    const third = await server.open();
    expect((await third.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await Promise.all([second.close(), third.close()]);
    await Bun.sleep(20);
    expect(server.statehouse.runtime.registry.sizes()).toMatchObject({ connections: 0, addresses: 0 });
  });

  test('closing sockets leaves no connection or index entry behind', async () => {
    const alice = await server.userWithSession('alice');
    const sockets = await Promise.all(Array.from({ length: 20 }, () => server.open({ cookie: alice.cookie })));
    await Promise.all(sockets.map((ws) => ws.subscribeState()));
    expect(server.statehouse.runtime.registry.sizes().connections).toBe(20);
    await Promise.all(sockets.map((ws) => ws.close()));
    await Bun.sleep(50);
    const sizes = server.statehouse.runtime.registry.sizes();
    expect(sizes).toMatchObject({ connections: 0, sessions: 0, users: 0 });
  });

  test('invalid input is a typed BAD_REQUEST with field errors, and the socket stays usable', async () => {
    const ws = await server.open();
    const reply = await ws.call('mutation', 'probe.setTab', { tab: 42 });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    expect(reply.error?.data.statehouse.fieldErrors[0]).toMatchObject({ field: 'tab' });
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await ws.close();
  });
});

describe('tab resume', () => {
  test('a tab reconnecting with its tab id gets its slices back', async () => {
    const alice = await server.userWithSession('alice');
    const first = await server.open({ cookie: alice.cookie, tabId: 'tab-resume-1' });
    await first.ok('mutation', 'probe.setTab', { tab: 'kept' });
    await first.close();
    await Bun.sleep(20);
    const again = await server.open({ cookie: alice.cookie, tabId: 'tab-resume-1' });
    const push = await again.subscribeState();
    expect(push.delta.dashboard.tab).toBe('kept');
    await again.close();
  });

  test('a reconnect under another session discards the stashed slices', async () => {
    const alice = await server.userWithSession('alice');
    const bob = await server.userWithSession('bob');
    const first = await server.open({ cookie: alice.cookie, tabId: 'tab-resume-2' });
    await first.ok('mutation', 'probe.setTab', { tab: 'alice-only' });
    await first.close();
    await Bun.sleep(20);
    const again = await server.open({ cookie: bob.cookie, tabId: 'tab-resume-2' });
    const push = await again.subscribeState();
    expect(push.delta.dashboard.tab).toBe('overview');
    expect(push.delta.auth.username).toBe('bob');
    await again.close();
  });

  test('at most socket.resumeStashMax closed tabs are kept: the oldest makes room and starts afresh', async () => {
    await server.stop();
    server = await startTestServer({ socket: { resumeStashMax: 2 } });
    const alice = await server.userWithSession('alice');
    const { registry } = server.statehouse.runtime;
    for (const tab of ['a', 'b', 'c']) {
      const ws = await server.open({ cookie: alice.cookie, tabId: `tab-capped-${tab}` });
      await ws.ok('mutation', 'probe.setTab', { tab: `kept-${tab}` });
      await ws.close();
      await Bun.sleep(20);
      expect(registry.stashedCount).toBeLessThanOrEqual(2);
    }
    expect(registry.stashedCount).toBe(2);
    const oldest = await server.open({ cookie: alice.cookie, tabId: 'tab-capped-a' });
    expect((await oldest.subscribeState()).delta.dashboard.tab).toBe('overview');
    const newest = await server.open({ cookie: alice.cookie, tabId: 'tab-capped-c' });
    expect((await newest.subscribeState()).delta.dashboard.tab).toBe('kept-c');
    await oldest.close();
    await newest.close();
  });
});
