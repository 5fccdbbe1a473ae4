import { describe, expect, test } from 'bun:test';
import { Connection } from '../../../server/bridge/connection';
import { CookieMirror } from '../../../server/bridge/cookie-mirror';
import { PUSH_SOURCE } from '../../../server/bridge/push-source';
import { SessionCache } from '../../../server/bridge/session-cache';
import { applyRouteReport } from '../../../server/bridge/route-mirror';
import { OBJECTS_MAX, OBJECTS_MAX_KEY_LENGTH, SharedStrings } from '../../../server/bridge/shared-strings';
import { SliceTable } from '../../../server/bridge/slice-table';
import { SocketEventRequest } from '../../../server/bridge/event-request';
import { ConnectionRegistry } from '../../../server/bridge/registry';
import { startTestServer } from '../../helpers/server';

function connection(headers: Record<string, string>) {
  return new Connection({
    headers: new Headers(headers),
    ip: '127.0.0.1',
    secure: false,
    origin: 'http://127.0.0.1:3000',
    messageBurst: 10,
    messagesPerSecond: 10,
  });
}

const HANDSHAKE = {
  host: '127.0.0.1:3000',
  origin: 'http://127.0.0.1:3000',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Test/1.0',
  'accept-language': 'ar, en;q=0.5',
  cookie: 'statehouse_session=abc.def; theme=dark',
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
  'sec-websocket-extensions': 'permessage-deflate',
};

/** A connection of an upgrade that sent `headers`, sharing kept header lists through `strings`. */
function openSharing(strings: SharedStrings, headers: Record<string, string>): Connection {
  return new Connection({
    headers: new Headers(headers),
    ip: '127.0.0.1',
    secure: false,
    origin: 'http://127.0.0.1:3000',
    messageBurst: 10,
    messagesPerSecond: 10,
    strings,
  });
}

describe('the headers a connection keeps', () => {
  test('are the upgrade request’s, read case-insensitively, without the handshake’s own', () => {
    const conn = connection(HANDSHAKE);
    expect(conn.headers.get('User-Agent')).toBe(HANDSHAKE['user-agent']);
    expect(conn.headers.get('accept-language')).toBe('ar, en;q=0.5');
    expect(conn.headers.get('origin')).toBe('http://127.0.0.1:3000');
    for (const name of ['cookie', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions']) {
      expect(conn.headers.get(name)).toBeNull();
    }
    expect(conn.headers.get('x-missing')).toBeNull();
  });

  test('the cookies live on in the cookie mirror, and an event’s headers carry the mirror as it is now', () => {
    const conn = connection(HANDSHAKE);
    expect(Object.fromEntries(conn.cookies)).toEqual({ statehouse_session: 'abc.def', theme: 'dark' });
    conn.cookies.delete('statehouse_session');
    const owner = { currentSessionId: () => null, runtime: {} } as never;
    const headers = new SocketEventRequest(owner, conn, 'probe.echo', 'query').headers;
    expect(headers.get('cookie')).toBe('theme=dark');
    expect(headers.get('user-agent')).toBe(HANDSHAKE['user-agent']);
    expect(headers.get('sec-websocket-key')).toBeNull();
    conn.cookies.clear();
    expect(new SocketEventRequest(owner, conn, 'probe.echo', 'query').headers.has('cookie')).toBe(false);
  });
});

describe('the state push stream', () => {
  const push = (n: number) => ({ delta: { s: { n } }, actions: [] });

  test('gives the first push, then queued pushes in order, then waits for the next one', async () => {
    const conn = connection({});
    const stream = conn.pushes(undefined, Promise.resolve({ delta: {}, actions: [], full: true }));
    expect(await stream.next()).toEqual({ value: { delta: {}, actions: [], full: true }, done: false });
    conn.push(push(1).delta, []);
    conn.push(push(2).delta, []);
    expect((await stream.next()).value).toEqual(push(1));
    expect((await stream.next()).value).toEqual(push(2));
    const pending = stream.next();
    conn.push(push(3).delta, []);
    expect((await pending).value).toEqual(push(3));
  });

  test('a pending next() answers done when the signal aborts, and the stream stops listening', async () => {
    const conn = connection({});
    const controller = new AbortController();
    const stream = conn.pushes(controller.signal);
    const pending = stream.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
    conn.push(push(1).delta, []);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  test('ends when the connection closes, and a newer stream ends the older one', async () => {
    const conn = connection({});
    const older = conn.pushes(undefined);
    const olderNext = older.next();
    const newer = conn.pushes(undefined);
    expect(await olderNext).toEqual({ value: undefined, done: true });
    const newerNext = newer.next();
    conn.close();
    expect(await newerNext).toEqual({ value: undefined, done: true });
  });

  test('a first push that fails rejects the first next()', async () => {
    const conn = connection({});
    const failed = Promise.reject(new Error('no first push'));
    failed.catch(() => {});
    await expect(conn.pushes(undefined, failed).next()).rejects.toThrow('no first push');
  });

  /** A sink that keeps what it hears, in order. */
  function recordingSink() {
    const heard: unknown[] = [];
    return { heard, pushed: (v: unknown) => heard.push(v), ended: () => heard.push('ended'), failed: (e: unknown) => heard.push(e) };
  }

  test('as a push source: the first push, then queued pushes in order, each after the call that queued it', async () => {
    const conn = connection({});
    const stream = conn.pushes(undefined, Promise.resolve({ delta: {}, actions: [], full: true }));
    conn.push(push(1).delta, []);
    const sink = recordingSink();
    stream[PUSH_SOURCE](sink);
    conn.push(push(2).delta, []);
    expect(sink.heard).toEqual([]);
    await Bun.sleep(0);
    expect(sink.heard).toEqual([{ delta: {}, actions: [], full: true }, push(1), push(2)]);
    conn.push(push(3).delta, []);
    expect(sink.heard).toHaveLength(3);
    await Bun.sleep(0);
    expect(sink.heard.at(-1)).toEqual(push(3));
    conn.close();
    await Bun.sleep(0);
    expect(sink.heard.at(-1)).toBe('ended');
  });

  test('as a push source: a failed first push fails it; return() silences it; a newer stream ends it', async () => {
    const failing = connection({});
    const failed = Promise.reject(new Error('no first push'));
    failed.catch(() => {});
    const failedSink = recordingSink();
    failing.pushes(undefined, failed)[PUSH_SOURCE](failedSink);
    await Bun.sleep(0);
    expect(failedSink.heard).toEqual([new Error('no first push')]);

    const conn = connection({});
    const returned = recordingSink();
    const stream = conn.pushes(undefined);
    stream[PUSH_SOURCE](returned);
    conn.push(push(1).delta, []);
    expect(await stream.return()).toEqual({ value: undefined, done: true });
    await Bun.sleep(0);
    expect(returned.heard).toEqual([]);

    const older = recordingSink();
    conn.pushes(undefined)[PUSH_SOURCE](older);
    const newer = recordingSink();
    conn.pushes(undefined)[PUSH_SOURCE](newer);
    await Bun.sleep(0);
    expect(older.heard).toEqual(['ended']);
    expect(newer.heard).toEqual([push(1)]);
  });

  test('return() ends it at once', async () => {
    const conn = connection({});
    const stream = conn.pushes(undefined);
    const pending = stream.next();
    expect(await stream.return()).toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe('the slice table', () => {
  test('gets, sets, replaces and lists slices in the order they came, as a Map would', () => {
    const table = new SliceTable();
    const map = new Map<string, Record<string, unknown>>();
    for (const [name, values] of [
      ['a', { n: 1 }],
      ['b', { n: 2 }],
      ['a', { n: 3 }],
      ['constructor', { n: 4 }],
      ['__proto__', { n: 5 }],
    ] as const) {
      table.set(name, values);
      map.set(name, values);
    }
    expect([...table]).toEqual([...map]);
    expect(table.size).toBe(4);
    expect(table.get('a')).toBe(map.get('a')!);
    expect(table.has('b')).toBe(true);
    expect(table.has('toString')).toBe(false);
    expect(table.get('n')).toBeUndefined();
    expect(table.get('__proto__')).toEqual({ n: 5 });
    expect(JSON.stringify(Object.fromEntries(table))).toBe('{"a":{"n":3},"b":{"n":2},"constructor":{"n":4},"__proto__":{"n":5}}');
  });
});

describe('the cookie mirror', () => {
  test('gets, sets, replaces, deletes and lists cookies in the order they came', () => {
    const cookies = new CookieMirror();
    expect(cookies.get('a')).toBeUndefined();
    cookies.set('a', '1').set('b', '2').set('c', '3');
    cookies.set('b', 'two');
    expect([...cookies]).toEqual([
      ['a', '1'],
      ['b', 'two'],
      ['c', '3'],
    ]);
    expect(cookies.has('c')).toBe(true);
    expect(cookies.header()).toBe('a=1; b=two; c=3');
    expect(cookies.delete('a')).toBe(true);
    expect(cookies.delete('a')).toBe(false);
    expect(cookies.size).toBe(2);
    expect(Object.fromEntries(cookies)).toEqual({ b: 'two', c: '3' });
    expect(cookies.header()).toBe('b=two; c=3');
    cookies.set('a', 'again');
    expect([...cookies]).toEqual([
      ['b', 'two'],
      ['c', '3'],
      ['a', 'again'],
    ]);
    expect(cookies.delete('c')).toBe(true);
    expect(cookies.header()).toBe('b=two; a=again');
    cookies.clear();
    expect(cookies.size).toBe(0);
    expect(cookies.get('b')).toBeUndefined();
    expect(cookies.header()).toBe('');
    cookies.set('d', '4');
    expect([...cookies]).toEqual([['d', '4']]);
  });

  test('a name is not a prototype key or a value', () => {
    const cookies = new CookieMirror().set('x', 'constructor');
    expect(cookies.get('constructor')).toBeUndefined();
    expect(cookies.has('toString')).toBe(false);
  });
});

describe('shared strings', () => {
  // Whether two strings are one copy cannot be seen from JavaScript (the idle
  // memory bench shows it); these show that sharing never changes a value.
  test('a string comes back equal to itself, short or long', () => {
    const strings = new SharedStrings();
    const shared = (value: string) => strings.shared(value);
    const a = ['Mozilla/5.0 ', 'Test'].join('');
    const b = ['Mozilla/5.0 Te', 'st'].join('');
    expect(shared(a)).toBe(shared(b));
    const long = 'x'.repeat(300);
    expect(shared(long)).toBe(long);
  });

  test('connections with equal and different header values each read their own', () => {
    const one = connection(HANDSHAKE);
    const two = connection({ ...HANDSHAKE, 'accept-language': 'en' });
    expect(one.headers.get('user-agent')).toBe(two.headers.get('user-agent')!);
    expect(one.headers.get('accept-language')).toBe('ar, en;q=0.5');
    expect(two.headers.get('accept-language')).toBe('en');
  });

  test('tabs that sent the same headers share one kept list; a tab whose headers differ keeps its own', () => {
    const strings = new SharedStrings();
    const open = (headers: Record<string, string>) => openSharing(strings, headers);
    const one = open(HANDSHAKE);
    const two = open({ ...HANDSHAKE, cookie: 'statehouse_session=other.tab', 'sec-websocket-key': 'another' });
    const three = open({ ...HANDSHAKE, 'accept-language': 'en' });
    expect(two.headers).toBe(one.headers); // the cookie and the handshake's own headers are not kept
    expect(three.headers).not.toBe(one.headers);
    expect(one.headers.get('accept-language')).toBe('ar, en;q=0.5');
    expect(three.headers.get('accept-language')).toBe('en');
    // Each tab's cookies stay its own.
    expect(one.cookies.get('statehouse_session')).toBe('abc.def');
    expect(two.cookies.get('statehouse_session')).toBe('other.tab');
  });
});

describe('shared header lists', () => {
  const open = openSharing;

  test('a kept list cannot be changed by one of the tabs that share it', () => {
    const strings = new SharedStrings();
    const one = open(strings, HANDSHAKE);
    const two = open(strings, HANDSHAKE);
    expect(two.headers).toBe(one.headers);
    const pairs = (one.headers as unknown as { pairs: string[] }).pairs;
    expect(() => pairs.push('x-injected', 'yes')).toThrow();
    expect(() => {
      pairs[1] = 'evil.example';
    }).toThrow();
    expect(two.headers.get('host')).toBe('127.0.0.1:3000');
    expect(two.headers.get('x-injected')).toBeNull();
  });

  test('the table holds a bounded number of lists, the oldest making room, and each tab reads its own', () => {
    const strings = new SharedStrings();
    const tabs = Array.from({ length: OBJECTS_MAX + 44 }, (_, i) => open(strings, { ...HANDSHAKE, 'x-request-id': `r${i}` }));
    expect(strings.objectCount).toBe(OBJECTS_MAX);
    expect(tabs.map((tab) => tab.headers.get('x-request-id'))).toEqual(tabs.map((_, i) => `r${i}`));
    // The newest lists are offered to the next tabs; the oldest were let go from the table.
    expect(open(strings, { ...HANDSHAKE, 'x-request-id': `r${OBJECTS_MAX + 43}` }).headers).toBe(tabs.at(-1)!.headers);
    expect(open(strings, { ...HANDSHAKE, 'x-request-id': 'r0' }).headers).not.toBe(tabs[0]!.headers);
  });

  test('a list longer than the table takes is kept by its tab alone', () => {
    const strings = new SharedStrings();
    const long = { ...HANDSHAKE, 'x-long': 'v'.repeat(OBJECTS_MAX_KEY_LENGTH) };
    const one = open(strings, long);
    const two = open(strings, long);
    expect(strings.objectCount).toBe(0);
    expect(two.headers).not.toBe(one.headers);
    expect(two.headers.get('x-long')).toBe(long['x-long']);
  });
});

describe('the message budget', () => {
  test('spends a burst, then refills at its rate, read at given times', () => {
    const conn = connection(HANDSHAKE); // a burst of 10, 10 a second
    const t0 = performance.now() + 10_000;
    for (let i = 0; i < 10; i++) expect(conn.take(t0)).toBe(true);
    expect(conn.take(t0)).toBe(false);
    expect(conn.retryAfter(t0)).toBe(1);
    expect(conn.take(t0 + 50)).toBe(false); // half a message
    expect(conn.take(t0 + 100)).toBe(true); // one message a tenth of a second
    expect(conn.take(t0 + 100)).toBe(false);
    expect(conn.retryAfter(t0 + 5_000)).toBe(0);
    // Never more than the burst, however long it rested.
    for (let i = 0; i < 10; i++) expect(conn.take(t0 + 60_000)).toBe(true);
    expect(conn.take(t0 + 60_000)).toBe(false);
  });
});

describe('the route mirror', () => {
  const mirror = () => ({ path: '/start', query: '?a=1' });

  test('follows a report of a path and a query, adding the query’s ?', () => {
    const m = mirror();
    applyRouteReport(m, '/notes', 'tab=security');
    expect(m).toEqual({ path: '/notes', query: '?tab=security' });
    applyRouteReport(m, '/settings', '?x=2');
    expect(m).toEqual({ path: '/settings', query: '?x=2' });
    applyRouteReport(m, '/', '');
    expect(m).toEqual({ path: '/', query: '' });
  });

  test('ignores a path that is not one, or too long; drops a query that is not a string or too long', () => {
    const m = mirror();
    for (const path of ['notes', '', 42, null, undefined, `/${'a'.repeat(2048)}`]) {
      applyRouteReport(m, path, 'b=2');
      expect(m).toEqual(mirror());
    }
    applyRouteReport(m, '/ok', 7);
    expect(m).toEqual({ path: '/ok', query: '' });
    applyRouteReport(m, '/ok', `q=${'x'.repeat(2048)}`);
    expect(m).toEqual({ path: '/ok', query: '' });
    applyRouteReport(m, `/${'a'.repeat(2047)}`, '');
    expect(m.path).toHaveLength(2048);
  });
});

describe('the registry', () => {
  test('finds every connection of a session and of a user as tabs come, move and go', () => {
    const registry = new ConnectionRegistry();
    const [a, b, c] = [connection({}), connection({}), connection({})];
    for (const conn of [a, b, c]) registry.add(conn);
    registry.bind(a, 's1', 1);
    expect(registry.ofSession('s1')).toEqual([a]);
    registry.bind(b, 's1', 1);
    registry.bind(b, 's1', 1);
    registry.bind(c, 's2', 1);
    expect(registry.ofSession('s1')).toEqual([a, b]);
    expect(registry.ofUser(1)).toEqual([a, b, c]);
    registry.remove(a);
    expect(registry.ofSession('s1')).toEqual([b]);
    registry.bind(b, 's3', 2);
    expect(registry.ofSession('s1')).toEqual([]);
    expect(registry.ofSession('s3')).toEqual([b]);
    expect(registry.ofUser(1)).toEqual([c]);
    registry.bind(a, 's3', 2); // a closed connection is not indexed again
    expect(registry.ofSession('s3')).toEqual([b]);
    registry.remove(b);
    registry.remove(c);
    expect(registry.sizes()).toEqual({ connections: 0, sessions: 0, users: 0, stashed: 0, addresses: 0 });
  });

  test('a user with many tabs: each found once as they come and go past a hundred and back to none', () => {
    const registry = new ConnectionRegistry();
    const tabs = Array.from({ length: 100 }, () => connection({}));
    const sorted = (list: Connection[]) => [...list].sort((x, y) => x.id - y.id);
    for (const [i, conn] of tabs.entries()) {
      registry.add(conn);
      registry.bind(conn, 'one', 7);
      registry.bind(conn, 'one', 7); // bound again: still once
      expect(registry.ofUser(7)).toHaveLength(i + 1);
    }
    expect(sorted(registry.ofSession('one'))).toEqual(tabs);
    // Removed from the middle and the ends, every count on the way down through each size.
    const order = tabs.map((conn, i) => ({ conn, key: (i * 37) % 100 })).sort((x, y) => x.key - y.key);
    for (const [i, { conn }] of order.entries()) {
      registry.remove(conn);
      registry.remove(conn); // removed again: nothing else goes
      const left = order.slice(i + 1).map((o) => o.conn);
      expect(sorted(registry.ofUser(7))).toEqual(sorted(left));
      expect(sorted(registry.ofSession('one'))).toEqual(sorted(left));
    }
    expect(registry.sizes()).toEqual({ connections: 0, sessions: 0, users: 0, stashed: 0, addresses: 0 });
  });

  test('counts open connections per client address, each once', () => {
    const registry = new ConnectionRegistry();
    const [a, b] = [connection({}), connection({})];
    registry.add(a);
    registry.add(a);
    registry.add(b);
    expect(registry.connectionsFrom('127.0.0.1')).toBe(2);
    expect(registry.connectionsFrom('10.0.0.1')).toBe(0);
    registry.remove(a);
    registry.remove(a);
    expect(registry.connectionsFrom('127.0.0.1')).toBe(1);
    registry.remove(b);
    expect(registry.connectionsFrom('127.0.0.1')).toBe(0);
    expect(registry.sizes().addresses).toBe(0);
  });
});

describe('idle tabs let go of their expired session caches', () => {
  const validation = (until: number) => ({ token: 'tok', result: { session: null, user: null }, until, mirrorVersion: 0 });

  test('dropStaleValidations clears only caches whose period is over', () => {
    const registry = new ConnectionRegistry();
    const stale = connection({});
    const fresh = connection({});
    const none = connection({});
    for (const conn of [stale, fresh, none]) registry.add(conn);
    stale.sessions = Object.assign(new SessionCache(), { validated: validation(1_000) });
    fresh.sessions = Object.assign(new SessionCache(), { validated: validation(5_000) });
    expect(registry.dropStaleValidations(2_000)).toBe(1);
    expect(stale.validated).toBeNull();
    expect(fresh.validated).not.toBeNull();
    expect(none.validated).toBeNull();
    expect(registry.dropStaleValidations(5_000)).toBe(1);
    expect(fresh.validated).toBeNull();
  });

  test('a running server sweeps them: an idle authenticated tab holds no session row after the cache period', async () => {
    const server = await startTestServer({ session: { cacheTtlMs: 50 } });
    try {
      const user = await server.userWithSession('idle');
      const ws = await server.open({ cookie: user.cookie });
      await ws.call('query', 'probe.whoami');
      const [conn] = [...server.statehouse.runtime.registry.all];
      expect(conn!.userId).not.toBeNull();
      const deadline = Date.now() + 10_000;
      while (conn!.validated && Date.now() < deadline) await Bun.sleep(50);
      expect(conn!.validated).toBeNull();
      // Still bound for the identity bus, and the next event validates again.
      expect(conn!.userId).not.toBeNull();
      expect((await ws.call('query', 'probe.whoami')).result?.data).toMatchObject({ data: expect.anything() });
      expect(conn!.validated).not.toBeNull();
      await ws.close();
    } finally {
      await server.stop();
    }
  });
});

describe('patches while the stashed slices travel back', () => {
  const access = { name: 'access', initial: { revision: 0 } } as never;
  const moveOn = (values: Record<string, unknown>) => ({ revision: Number(values.revision ?? 0) + 1 });

  test('a counter moved on meanwhile moves the resumed value on, instead of landing back on it', () => {
    const conn = connection({});
    conn.beginResume();
    // A permission change while the slices are in Redis: the tab's fresh slice goes from 0 to 1.
    expect(conn.patchSlice('access', access, moveOn)).toEqual({ revision: 1 });
    const stashed = new SliceTable().set('access', { revision: 1 });
    conn.endResume(stashed);
    // The stash held 1 (what the page last read): after the change it must be something else.
    expect(conn.slices.get('access')).toEqual({ revision: 2 });
  });

  test('plain patches still go on top as they were written', () => {
    const conn = connection({});
    conn.beginResume();
    conn.patchSlice('access', access, { revision: 7 });
    conn.endResume(new SliceTable().set('access', { revision: 3 }));
    expect(conn.slices.get('access')).toEqual({ revision: 7 });
  });
});
