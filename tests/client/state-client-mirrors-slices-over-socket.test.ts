import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from 'bun:test';
import { createEffect, createRoot } from 'solid-js';
import { backoffWithJitter } from '../../client/state/backoff';
import {
  createStateClient,
  defaultSocketUrl,
  TAB_ID_STORAGE_KEY,
  type StateClient,
  type StateClientOptions,
} from '../../client/state/client';
import type { SliceMap } from '../../client/state/store';
import type { AuthSnapshot, StatePush } from '../../server/state/protocol';
import { createFakeLocation, createMemoryStorage, type EventLog } from './browser-fakes';
import { startFakeTrpcServer, type FakeConnection, type FakeTrpcServer } from './fake-trpc-server';

type Slices = { dashboard: { tab: string; count: number }; auth: AuthSnapshot };

const ada: AuthSnapshot = {
  userId: 1,
  username: 'ada',
  email: 'ada@example.com',
  emailVerified: true,
  firstName: 'Ada',
  lastName: 'Lovelace',
  isAuthenticated: true,
  isStaff: false,
  isSuperuser: false,
  groupNames: ['editors'],
};

let server: FakeTrpcServer;
/** Releases the `dashboard.slow` calls waiting. */
let release: () => void = () => undefined;
const open: StateClient<never, SliceMap>[] = [];

beforeAll(() => {
  server = startFakeTrpcServer((call) => {
    if (call.path === 'statehouse.route') return { data: { delta: {}, actions: [] } };
    if (call.path === 'dashboard.slow') {
      return new Promise((resolve) => {
        release = () => resolve({ data: { data: 'done', delta: {}, actions: [] } });
      });
    }
    if (call.path === 'dashboard.setTab') {
      return { data: { data: 'ok', delta: { dashboard: { tab: call.input as string } }, actions: [] } };
    }
    return { error: { message: 'No such procedure', code: -32004, data: { code: 'NOT_FOUND' } } };
  });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((client) => client.close()));
});
afterAll(() => server.stop());

function start(
  href = 'http://app.test/notes?x=1',
  storageEntries: Record<string, string> = {},
  more: Partial<StateClientOptions<Slices>> = {},
) {
  const log: EventLog = [];
  const sessionStorage = createMemoryStorage('sessionStorage', log, storageEntries);
  const known = new Set(server.connections);
  const client = createStateClient<never, Slices>({
    url: server.url,
    WebSocket: globalThis.__native.WebSocket,
    location: createFakeLocation(href, log),
    sessionStorage,
    localStorage: createMemoryStorage('localStorage', log),
    initialSlices: { dashboard: { tab: 'overview', count: 0 } },
    retryDelayMs: () => 10,
    ...more,
  });
  open.push(client as unknown as StateClient<never, SliceMap>);
  /** The server side of this client's newest socket, once it subscribed to the state. */
  const connection = (after: ReadonlySet<FakeConnection> = known) =>
    server.waitFor(() =>
      server.connections.find((c) => !after.has(c) && c.params !== null && [...c.subscriptions.values()].includes('statehouse.state')),
    );
  return { client, log, sessionStorage, connection };
}

const push = (value: StatePush): StatePush => value;

describe('createStateClient', () => {
  test('sends the tab id, the page route and the browser languages as connection params', async () => {
    const { client, sessionStorage, connection } = start('http://app.test/notes?x=1');
    const conn = await connection();
    expect(navigator.languages.length).toBeGreaterThan(0);
    expect(conn.params).toEqual({ tabId: client.tabId, path: '/notes', query: '?x=1', languages: navigator.languages.join(',') });
    expect(sessionStorage.getItem(TAB_ID_STORAGE_KEY)).toBe(client.tabId);
    expect(client.tabId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('reuses the tab id kept in sessionStorage', async () => {
    const { client, connection } = start('http://app.test/', { [TAB_ID_STORAGE_KEY]: 'tab-kept' });
    expect(client.tabId).toBe('tab-kept');
    expect((await connection()).params).toMatchObject({ tabId: 'tab-kept', path: '/', query: '' });
  });

  test('starts with the initial slices and an anonymous auth slice', () => {
    const { client } = start();
    expect(client.slices.dashboard).toEqual({ tab: 'overview', count: 0 });
    expect(client.slices.auth.isAuthenticated).toBe(false);
    expect(client.slices.auth.userId).toBeNull();
  });

  test('reports connecting, then open, then closed', async () => {
    const { client, connection } = start();
    expect(client.status()).toBe('connecting');
    await connection();
    await server.waitFor(() => client.status() === 'open');
    await client.close();
    expect(client.status()).toBe('closed');
  });

  test('a full push replaces the slices and a partial one merges fields', async () => {
    const { client, connection } = start();
    const conn = await connection();
    conn.push('statehouse.state', push({ full: true, delta: { dashboard: { tab: 'notes', count: 3 }, auth: { ...ada } }, actions: [] }));
    await server.waitFor(() => client.slices.auth.isAuthenticated);
    expect(client.slices.dashboard).toEqual({ tab: 'notes', count: 3 });
    expect(client.slices.auth.groupNames).toEqual(['editors']);

    conn.push('statehouse.state', push({ delta: { dashboard: { count: 4 } }, actions: [] }));
    await server.waitFor(() => client.slices.dashboard.count === 4);
    expect(client.slices.dashboard.tab).toBe('notes');
  });

  test('runs the actions of a push', async () => {
    const { client, connection } = start();
    const conn = await connection();
    conn.push('statehouse.state', push({ delta: {}, actions: [{ type: 'toast', kind: 'warning', message: 'Signed out elsewhere' }] }));
    await server.waitFor(() => client.toasts.length > 0);
    expect(client.toasts[0]).toMatchObject({ kind: 'warning', message: 'Signed out elsewhere' });
  });

  test('a call through trpc updates the slices from its delta', async () => {
    const { client, connection } = start();
    await connection();
    const trpc = client.trpc as unknown as { dashboard: { setTab: { mutate(tab: string): Promise<unknown> } } };
    expect(await trpc.dashboard.setTab.mutate('settings')).toBe('ok');
    expect(client.slices.dashboard.tab).toBe('settings');
  });

  test('closeTimeoutMs reaches the socket: close() waits past the default 5 s for a call in flight', async () => {
    const { client, connection } = start('http://app.test/', {}, { closeTimeoutMs: 60_000 });
    await connection();
    const trpc = client.trpc as unknown as { dashboard: { slow: { mutate(): Promise<unknown> } } };
    const answer = trpc.dashboard.slow.mutate().catch((caught: unknown) => caught);
    await server.waitFor(() => server.calls.some((call) => call.path === 'dashboard.slow'));
    let closing: Promise<void>;
    jest.useFakeTimers();
    try {
      // close() sets its timer before its first await: the clock moves past the default at once.
      closing = client.close();
      jest.advanceTimersByTime(5_000);
    } finally {
      jest.useRealTimers();
    }
    release();
    expect(await answer).toBe('done');
    await closing;
    expect(client.status()).toBe('closed');
  });

  test('reportRoute sends the route mirror update, skipping the route the server already has', async () => {
    const { client, connection } = start('http://app.test/notes?x=1');
    const conn = await connection();
    const routeCalls = () => server.calls.filter((c) => c.connection === conn && c.path === 'statehouse.route');
    await client.reportRoute('/notes', '?x=1');
    expect(routeCalls()).toHaveLength(0);

    await client.reportRoute('/settings', '');
    await client.reportRoute('/settings', '');
    await client.reportRoute('/notes', '?page=2');
    expect(routeCalls().map((c) => [c.method, c.input])).toEqual([
      ['mutation', { path: '/settings', query: '' }],
      ['mutation', { path: '/notes', query: '?page=2' }],
    ]);
  });

  test('a one-time token in the path goes into no frame: the params and route reports carry :token instead', async () => {
    const { client, connection } = start('http://app.test/verify-email/SECRET-1?lang=en');
    const conn = await connection();
    // The very first frame, before any page code ran.
    expect(conn.params).toMatchObject({ path: '/verify-email/:token', query: '?lang=en' });
    await client.reportRoute('/password-reset/SECRET-2', '');
    // The server moves the pages: the `site` slice's URLs are secret routes too.
    conn.push('statehouse.state', push({ delta: { site: { verifyEmailUrl: '/confirm-email' } }, actions: [] }));
    await server.waitFor(
      () => (client.slices as unknown as { site?: { verifyEmailUrl?: string } }).site?.verifyEmailUrl === '/confirm-email',
    );
    await client.reportRoute('/confirm-email/SECRET-3/', '');
    await client.reportRoute('/notes/7', '');
    const sent = server.calls.filter((c) => c.connection === conn && c.path === 'statehouse.route').map((c) => c.input);
    expect(sent).toEqual([
      { path: '/password-reset/:token', query: '' },
      { path: '/confirm-email/:token/', query: '' },
      { path: '/notes/7', query: '' },
    ]);
    expect(JSON.stringify([conn.params, sent])).not.toContain('SECRET');
    expect(client.redactPath('/verify-email/SECRET-4')).toBe('/verify-email/:token');
  });

  test('reconnects after the socket drops, with the same tab id, and subscribes again', async () => {
    const { client, connection } = start('http://app.test/dashboard');
    const statuses: string[] = [];
    const stopWatching = createRoot((dispose) => {
      createEffect(() => statuses.push(client.status()));
      return dispose;
    });
    const first = await connection();
    await server.waitFor(() => client.status() === 'open');
    const before = new Set(server.connections);
    first.drop();
    const second = await connection(before);
    expect(second).not.toBe(first);
    expect(second.params).toEqual({ tabId: client.tabId, path: '/dashboard', query: '', languages: navigator.languages.join(',') });
    await server.waitFor(() => client.status() === 'open');
    expect(statuses).toEqual(['connecting', 'open', 'connecting', 'open']);

    second.push('statehouse.state', push({ delta: { dashboard: { count: 9 } }, actions: [] }));
    await server.waitFor(() => client.slices.dashboard.count === 9);
    stopWatching();
  });
});

describe('defaultSocketUrl', () => {
  test('uses ws: for http pages and wss: for https pages, on the same host', () => {
    expect(defaultSocketUrl('http://localhost:3000/notes')).toBe('ws://localhost:3000/trpc');
    expect(defaultSocketUrl('https://app.example.com/x?y=1')).toBe('wss://app.example.com/trpc');
  });
});

describe('backoffWithJitter', () => {
  test('grows exponentially up to the ceiling, scaled by a random factor', () => {
    const top = backoffWithJitter({ baseMs: 100, maxMs: 1_000, random: () => 0.999999 });
    expect([0, 1, 2, 3, 4, 10].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
    const half = backoffWithJitter({ baseMs: 100, maxMs: 1_000, random: () => 0.5 });
    expect(half(2)).toBe(200);
  });

  test('spreads the delays of many tabs over the window', () => {
    const delay = backoffWithJitter({ baseMs: 1_000 });
    const delays = Array.from({ length: 200 }, () => delay(3));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(8_000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });
});
