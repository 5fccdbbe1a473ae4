import { afterEach, describe, expect, spyOn, test } from 'bun:test';
import { defineSlice, PushError, type Statehouse } from '../../../server';
import * as pushEvents from '../../../server/bus/push-event';
import { createLogger } from '../../../server/log';
import { dashboard, startTestServer, type TestServer } from '../../helpers/server';
import { waitFor } from '../../helpers/wait-for';

/** A slice the test server never declares. */
const undeclared = defineSlice('undeclared', { flag: false });

let server: TestServer;
let lines: string[];

async function start(config = {}): Promise<TestServer> {
  lines = [];
  server = await startTestServer(config, { log: createLogger('warn', (line) => lines.push(line)) });
  return server;
}

afterEach(async () => {
  await server?.stop();
});

/** The server's push API, typed by its declared slices (the test server declares `dashboard`). */
function statehouse(): Statehouse<readonly [typeof dashboard]> {
  return server.statehouse as Statehouse<readonly [typeof dashboard]>;
}

describe('statehouse.push', () => {
  test("reaches every open tab of the user at once, and no one else's", async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const bob = await server.userWithSession('bob');
    const tabs = [await server.open({ cookie: alice.cookie }), await server.open({ cookie: alice.cookie })];
    const bobs = await server.open({ cookie: bob.cookie });
    for (const ws of [...tabs, bobs]) await ws.subscribeState();

    await statehouse().push({ userId: alice.userId }, dashboard, { tab: 'pushed', counter: 7 });

    for (const ws of tabs) {
      await ws.waitForPushes(2);
      expect(ws.pushes[1]).toEqual({ delta: { dashboard: { tab: 'pushed', counter: 7 } }, actions: [] });
    }
    // A round trip on Bob's socket: a push to him would have come before its answer.
    await bobs.ok('query', 'probe.whoami');
    expect(bobs.pushes).toHaveLength(1);
    for (const ws of [...tabs, bobs]) await ws.close();
  });

  test('is checked once in its process: before it is published, not again when the same process applies it', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    const checks = spyOn(pushEvents, 'checkPush');
    try {
      await statehouse().push({ userId: alice.userId }, dashboard, { tab: 'checked-once' });
      await ws.waitForPushes(2);
      expect(checks).toHaveBeenCalledTimes(1);
      // A push that did not come through this process's check (as from another process) is checked where it lands.
      await server.statehouse.runtime.bus.publish({
        type: 'push',
        target: { userId: alice.userId },
        delta: { dashboard: { tab: 'raw' } },
        actions: [],
      });
      await ws.waitForPushes(3);
      expect(checks).toHaveBeenCalledTimes(2);
    } finally {
      checks.mockRestore();
    }
    await ws.close();
  });

  test("updates the tab's server-side slice, so its next event's delta counts from the pushed values", async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    await statehouse().push({ userId: alice.userId }, dashboard, { tab: 'pushed', counter: 41 });
    await ws.waitForPushes(2);
    // The same tab again: nothing changed for the client, so nothing travels.
    expect((await ws.ok('mutation', 'probe.setTab', { tab: 'pushed' })).delta.dashboard).toEqual({ lastPath: '/' });
    const bumped = await ws.ok('mutation', 'probe.bump');
    expect(bumped.data).toBe(42);
    expect(bumped.delta.dashboard).toEqual({ counter: 42 });
    await ws.close();
  });

  test('sends only the fields that differ from what the tab holds, and nothing when none do', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    await statehouse().push({ userId: alice.userId }, dashboard, { tab: 'overview', counter: 3 });
    await ws.waitForPushes(2);
    expect(ws.pushes[1].delta).toEqual({ dashboard: { counter: 3 } });
    await statehouse().push({ userId: alice.userId }, dashboard, { counter: 3 });
    await ws.ok('query', 'probe.whoami');
    expect(ws.pushes).toHaveLength(2);
    await ws.close();
  });

  test('to a session reaches the tabs of that session only; to all, every tab, signed in or not', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const other = await server.userWithSession('alice-laptop');
    const mine = await server.open({ cookie: alice.cookie });
    const notMine = await server.open({ cookie: other.cookie });
    const anonymous = await server.open();
    for (const ws of [mine, notMine, anonymous]) await ws.subscribeState();

    await statehouse().push({ sessionId: alice.sessionId }, dashboard, { tab: 'session' });
    await mine.waitForPushes(2);
    expect(mine.pushes[1].delta).toEqual({ dashboard: { tab: 'session' } });
    await notMine.ok('query', 'probe.whoami');
    await anonymous.ok('query', 'probe.whoami');
    expect(notMine.pushes).toHaveLength(1);
    expect(anonymous.pushes).toHaveLength(1);

    await statehouse().push({ all: true }, dashboard, { tab: 'everyone' });
    await notMine.waitForPushes(2);
    await anonymous.waitForPushes(2);
    await mine.waitForPushes(3);
    for (const ws of [notMine, anonymous]) expect(ws.pushes[1].delta).toEqual({ dashboard: { tab: 'everyone' } });
    expect(mine.pushes[2].delta).toEqual({ dashboard: { tab: 'everyone' } });
    for (const ws of [mine, notMine, anonymous]) await ws.close();
  });

  test('carries client actions: with a patch, and as toast or navigate alone', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    const target = { userId: alice.userId };
    await statehouse().push(target, dashboard, { tab: 'help' }, { actions: [{ type: 'toast', kind: 'info', message: 'Moved' }] });
    await statehouse().toast(target, 'warning', 'Restarting soon');
    await statehouse().navigate(target, '/notes?from=push', { replace: true });
    await ws.waitForPushes(4);
    expect(ws.pushes.slice(1)).toEqual([
      { delta: { dashboard: { tab: 'help' } }, actions: [{ type: 'toast', kind: 'info', message: 'Moved' }] },
      { delta: {}, actions: [{ type: 'toast', kind: 'warning', message: 'Restarting soon' }] },
      { delta: {}, actions: [{ type: 'navigate', to: '/notes?from=push', replace: true }] },
    ]);
    await ws.close();
  });

  test('reaches a tab that has not subscribed yet: its first push shows the pushed values', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.ok('query', 'probe.whoami');
    await statehouse().push({ userId: alice.userId }, dashboard, { tab: 'early' });
    const first = await ws.subscribeState();
    expect(first.delta.dashboard.tab).toBe('early');
    await ws.close();
  });
});

describe('a refused push', () => {
  async function refusal(attempt: Promise<void>): Promise<PushError> {
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PushError);
    return error as PushError;
  }

  test('is a typed PushError naming what is wrong, and reaches no tab', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    const target = { userId: alice.userId };
    const sh = statehouse();

    // @ts-expect-error: not one of the slices this server declares
    expect((await refusal(sh.push(target, undeclared, { flag: true }))).code).toBe('UNKNOWN_SLICE');
    // @ts-expect-error: `tabs` is not a field of the dashboard slice
    const unknownField = await refusal(sh.push(target, dashboard, { tabs: 'x' }));
    expect(unknownField.code).toBe('INVALID_PATCH');
    expect(unknownField.issues[0]?.path).toBe('dashboard');
    // @ts-expect-error: `counter` is a number
    const wrongKind = await refusal(sh.push(target, dashboard, { counter: 'many' }));
    expect(wrongKind.code).toBe('INVALID_PATCH');
    expect(wrongKind.issues[0]?.path).toBe('dashboard.counter');
    // @ts-expect-error: a target is a user, a session or everyone
    expect((await refusal(sh.push({ userId: 'alice' }, dashboard, { tab: 'x' }))).code).toBe('INVALID_TARGET');
    expect((await refusal(sh.push({ userId: -1 }, dashboard, { tab: 'x' }))).code).toBe('INVALID_TARGET');
    expect((await refusal(sh.navigate(target, 'https://evil.example/'))).code).toBe('INVALID_ACTIONS');
    expect((await refusal(sh.navigate(target, '//evil.example/'))).code).toBe('INVALID_ACTIONS');
    // @ts-expect-error: a toast kind is info, success, warning or error
    expect((await refusal(sh.toast(target, 'shout', 'x'))).code).toBe('INVALID_ACTIONS');
    expect((await refusal(sh.toast(target, 'info', ''))).code).toBe('INVALID_ACTIONS');
    const cookie = { type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: [] };
    // @ts-expect-error: cookie actions come only with the identity changes that make them
    expect((await refusal(sh.push(target, dashboard, { tab: 'x' }, { actions: [cookie] }))).code).toBe('INVALID_ACTIONS');

    await ws.ok('query', 'probe.whoami');
    expect(ws.pushes).toHaveLength(1);
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
    await ws.close();
  });

  test('never sets the auth or site snapshot', async () => {
    await start();
    const auth = defineSlice('auth', { username: '' });
    const site = defineSlice('site', { siteName: '' });
    const pusher = server.statehouse.runtime.pusher;
    expect((await refusal(pusher.push({ all: true }, auth, { username: 'root' }))).code).toBe('UNKNOWN_SLICE');
    expect((await refusal(pusher.push({ all: true }, site, { siteName: 'Hacked' }))).code).toBe('UNKNOWN_SLICE');
  });

  test('over push.maxBytes is TOO_LARGE', async () => {
    await start({ push: { maxBytes: 1_000 } });
    const error = await refusal(statehouse().push({ all: true }, dashboard, { tab: 'x'.repeat(2_000) }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toContain('push.maxBytes');
  });

  test('published on the bus by other means is checked where it is received: logged and dropped', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    const { bus } = server.statehouse.runtime;
    const target = { userId: alice.userId };
    await bus.publish({ type: 'push', target, delta: { dashboard: { counter: 'many' } }, actions: [] });
    await bus.publish({ type: 'push', target, delta: { auth: { username: 'root' } }, actions: [] });
    await bus.publish({ type: 'push', target, delta: {}, actions: [{ type: 'navigate', to: 'javascript:alert(1)' }] });
    await ws.ok('query', 'probe.whoami');
    expect(ws.pushes).toHaveLength(1);
    await waitFor(() => lines.filter((l) => l.includes('push refused')).length === 3, { what: 'three refusals logged' });
    expect(lines.join('\n')).toContain('INVALID_PATCH');
    expect(lines.join('\n')).toContain('UNKNOWN_SLICE');
    expect(lines.join('\n')).toContain('INVALID_ACTIONS');
    await ws.close();
  });
});
