import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { createRoot } from 'solid-js';
import { createActionRunner, type ActionRunnerOptions } from '../../client/state/actions';
import { createStateClient, type StateClient } from '../../client/state/client';
import { createSessionSync, SESSION_CHANNEL, type SessionSync } from '../../client/state/session-sync';
import type { SliceMap } from '../../client/state/store';
import { createToastStore, type Toast } from '../../client/state/toasts';
import type { AuthSnapshot, ClientAction } from '../../server/state/protocol';
import { createFakeFetch, createFakeLocation, createMemoryStorage, type EventLog } from './browser-fakes';
import { startFakeTrpcServer, type FakeConnection, type FakeTrpcServer } from './fake-trpc-server';

/**
 * The tabs of one browser follow its session cookie: a tab told to
 * `followSession` reconnects once the tab that rotated the session has set
 * the new cookie (a BroadcastChannel message), never with the old one; a
 * stale tab's logout leaves a newer session alone; a refused anonymous ticket
 * makes the tab pick up the browser's signed-in identity.
 */
const ORIGIN = 'http://app.test';
const NEVER = 60_000;

function runner(overrides: Partial<ActionRunnerOptions> & { status?: number } = {}) {
  const log: EventLog = [];
  const errors: { error: unknown; action: ClientAction }[] = [];
  const [toasts, toastActions] = createRoot(() => createToastStore({ durationMs: 0 }));
  const fake = createFakeFetch(log, overrides.status ?? 204);
  const sessionStorage = createMemoryStorage('sessionStorage', log, { 'statehouse.tabId': 'tab-1' });
  const localStorage = createMemoryStorage('localStorage', log, { theme: 'dark', draft: 'x' });
  const run = createActionRunner({
    toasts: toastActions,
    location: createFakeLocation(`${ORIGIN}/notes`, log),
    fetch: fake.fetch,
    sessionStorage,
    localStorage,
    onError: (error, action) => errors.push({ error, action }),
    ...overrides,
  });
  return { log, errors, toasts: toasts as readonly Toast[], fake, localStorage, run };
}

describe('the action runner', () => {
  test('after the cookie exchange it announces the session the cookie now holds', async () => {
    const synced: string[] = [];
    const { run, log } = runner({ onCookieSynced: (session) => synced.push(session) });
    await run.run([{ type: 'syncCookieThenNavigate', ticket: 't', to: null, session: 'tag-new' }]);
    expect(synced).toEqual(['tag-new']);
    expect(log).toEqual(['POST /auth/session']);
  });

  test('an anonymous ticket refused because the browser is signed in: reconnect, no error, no announcement', async () => {
    const synced: string[] = [];
    let reconnects = 0;
    const { run, log, errors, toasts } = runner({ status: 409, onCookieSynced: (s) => synced.push(s), reconnect: () => void reconnects++ });
    await run.run([{ type: 'syncCookieThenNavigate', ticket: 't', to: null, session: 'tag-anon' }]);
    expect(reconnects).toBe(1);
    expect(synced).toEqual([]);
    expect(errors).toEqual([]);
    expect(toasts).toEqual([]);
    expect(log).toEqual(['POST /auth/session']);
  });

  test('a logout names the session the tab was bound to', async () => {
    const { run, fake } = runner();
    await run.run([{ type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: [], session: 'tag-old' }]);
    expect(fake.requests.map((r) => r.body)).toEqual([{ session: 'tag-old' }]);
  });

  test('a logout the server answers session_changed keeps the storage and reloads instead of leaving', async () => {
    const { run, log, errors, localStorage } = runner({ status: 409 });
    await run.run([{ type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: [], session: 'tag-old' }]);
    expect(log).toEqual(['POST /auth/logout', 'reload']);
    expect(localStorage.dump()).toEqual({ theme: 'dark', draft: 'x' });
    expect(errors).toEqual([]);
  });

  test('followSession goes to the session sync; without one the page reloads', async () => {
    const followed: unknown[] = [];
    const wired = runner({ followSession: (session, reload) => void followed.push([session, reload]) });
    await wired.run.run([{ type: 'followSession', session: 'tag-new', reload: false }]);
    expect(followed).toEqual([['tag-new', false]]);
    const bare = runner();
    await bare.run.run([{ type: 'followSession', session: 'tag-new', reload: true }]);
    expect(bare.log).toEqual(['reload']);
  });
});

describe('createSessionSync', () => {
  const syncs: SessionSync[] = [];
  afterEach(() => {
    for (const sync of syncs.splice(0)) sync.close();
  });

  function tab(signedIn = true, followTimeoutMs = NEVER) {
    const log: string[] = [];
    const sync = createSessionSync({
      reconnect: () => void log.push('reconnect'),
      reload: () => void log.push('reload'),
      isSignedIn: () => signedIn,
      followTimeoutMs,
    });
    syncs.push(sync);
    return { sync, log };
  }

  async function settled(promise: Promise<void>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    return done;
  }

  async function until(check: () => boolean): Promise<void> {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  test('a follower reconnects at once, but its socket waits until the rotating tab announces the new cookie', async () => {
    const rotating = tab();
    const sibling = tab();
    await sibling.sync.follow('tag-new', false);
    expect(sibling.log).toEqual(['reconnect']);
    const ready = sibling.sync.ready();
    // Another session's announcement does not open the gate.
    const heard = new BroadcastChannel(SESSION_CHANNEL);
    const other = new Promise((resolve) => (heard.onmessage = resolve));
    rotating.sync.announce('tag-other', true);
    await other;
    heard.close();
    expect(await settled(ready)).toBe(false);
    rotating.sync.announce('tag-new', true);
    await ready;
    expect(await settled(sibling.sync.ready())).toBe(true);
    expect(sibling.log).toEqual(['reconnect']);
  });

  test('an announcement that came before the push: the follower reconnects straight away', async () => {
    const rotating = tab();
    const sibling = tab();
    const heard = new BroadcastChannel(SESSION_CHANNEL);
    const arrived = new Promise((resolve) => (heard.onmessage = resolve));
    rotating.sync.announce('tag-new', true);
    await arrived;
    heard.close();
    await sibling.sync.follow('tag-new', false);
    expect(await settled(sibling.sync.ready())).toBe(true);
    expect(sibling.log).toEqual(['reconnect']);
  });

  test('another user signed in: the follower reloads once the cookie is set', async () => {
    const rotating = tab();
    const sibling = tab();
    const following = sibling.sync.follow('tag-bob', true);
    expect(sibling.log).toEqual([]);
    rotating.sync.announce('tag-bob', true);
    await following;
    expect(sibling.log).toEqual(['reload']);
  });

  test('no announcement (the rotating tab closed, or a stolen copy elsewhere): the follower reconnects after its timeout', async () => {
    const sibling = tab(true, 20);
    await sibling.sync.follow('tag-new', false);
    await sibling.sync.ready();
    expect(sibling.log).toEqual(['reconnect']);
  });

  test('an anonymous tab reconnects when another tab signed the browser in; a signed-in tab does not', async () => {
    const rotating = tab();
    const anonymous = tab(false);
    const signedIn = tab(true);
    rotating.sync.announce('tag-alice', true);
    await until(() => anonymous.log.length > 0);
    expect(anonymous.log).toEqual(['reconnect']);
    // An anonymous session's cookie is no sign-in to follow.
    rotating.sync.announce('tag-anon', false);
    const probe = tab(false);
    rotating.sync.announce('tag-probe', true);
    await until(() => probe.log.length > 0);
    expect(anonymous.log).toEqual(['reconnect', 'reconnect']);
    expect(signedIn.log).toEqual([]);
  });
});

describe('a state client told to followSession', () => {
  let server: FakeTrpcServer;
  const open: StateClient<never, SliceMap>[] = [];
  const ada: AuthSnapshot = {
    userId: 1,
    username: 'ada',
    email: '',
    emailVerified: false,
    firstName: '',
    lastName: '',
    isAuthenticated: true,
    isStaff: false,
    isSuperuser: false,
    groupNames: [],
  };

  beforeAll(() => {
    server = startFakeTrpcServer(() => ({ data: { data: null, delta: {}, actions: [] } }));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });
  afterAll(() => server.stop());

  function start() {
    const log: EventLog = [];
    const known = new Set(server.connections);
    const client = createStateClient<never, { auth: AuthSnapshot }>({
      url: server.url,
      WebSocket: globalThis.__native.WebSocket,
      location: createFakeLocation(`${ORIGIN}/notes`, log),
      sessionStorage: createMemoryStorage('sessionStorage', log),
      localStorage: createMemoryStorage('localStorage', log),
      retryDelayMs: () => 10,
      followTimeoutMs: NEVER,
    });
    open.push(client as unknown as StateClient<never, SliceMap>);
    const connection = (after: ReadonlySet<FakeConnection> = known) =>
      server.waitFor(() =>
        server.connections.find((c) => !after.has(c) && c.params !== null && [...c.subscriptions.values()].includes('statehouse.state')),
      );
    return { client, connection, log };
  }

  test('keeps its signed-in slice, drops its socket, and opens the next one after the announcement', async () => {
    const { client, connection } = start();
    const first = await connection();
    first.push('statehouse.state', { full: true, delta: { auth: ada }, actions: [] });
    await server.waitFor(() => client.slices.auth.isAuthenticated);
    const before = new Set(server.connections);
    first.push('statehouse.state', { delta: {}, actions: [{ type: 'followSession', session: 'tag-new', reload: false }] });
    await server.waitFor(() => client.status() === 'connecting');
    expect(client.slices.auth.isAuthenticated).toBe(true);
    const opened = server.connections.filter((c) => !before.has(c)).length;

    const rotating = new BroadcastChannel(SESSION_CHANNEL);
    rotating.postMessage({ type: 'session-synced', session: 'tag-new', signedIn: true });
    const second = await connection(before);
    rotating.close();
    expect(opened).toBe(0);
    expect(second.params).toMatchObject({ tabId: client.tabId, path: '/notes' });
    await server.waitFor(() => client.status() === 'open');
  });
});
