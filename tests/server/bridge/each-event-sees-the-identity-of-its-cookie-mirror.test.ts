import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { sessions } from '../../../db/schema';
import { CACHE_TTL_SPREAD, cacheUntil, resolveSession } from '../../../server/bridge/session-cache';
import { startTestServer, type TestServer } from '../../helpers/server';
import { statementsDuring } from '../../helpers/statement-count';

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
    const sessionReads = await statementsDuring(runtime.db, /from "sessions"/i, async () => {
      await Bun.sleep(150);
      const replies = await Promise.all(Array.from({ length: 8 }, () => ws.ok('query', 'probe.whoami')));
      for (const reply of replies) expect(reply.data.userId).toBe(alice.userId);
    });
    expect(sessionReads).toBe(1);
    await ws.close();
  });

  test('a cached validation is served only while the mirror holds its token', async () => {
    const { runtime } = server.statehouse;
    const alice = await server.userWithSession('alice');
    const bob = await server.userWithSession('bob');
    const ws = await server.open({ cookie: alice.cookie });
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
    const [conn] = runtime.registry.ofSession(alice.sessionId);
    if (!conn) throw new Error('the socket is not bound to its session');
    const name = runtime.cookieName(conn.secure);
    // Another cookie changes nothing; a new token is validated, not served from the cache.
    conn.cookies.set('csrftoken', 'x');
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
    conn.cookies.set(name, bob.token);
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('bob');
    conn.cookies.delete(name);
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
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
