import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../helpers/server';
import { waitFor } from '../../helpers/wait-for';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
});

describe('tab resume', () => {
  test('a tab reconnecting with its tab id gets its slices back', async () => {
    const alice = await server.userWithSession('alice');
    const first = await server.open({ cookie: alice.cookie, tabId: 'tab-resume-1' });
    await first.ok('mutation', 'probe.setTab', { tab: 'kept' });
    await first.close();
    await waitFor(() => server.statehouse.runtime.registry.stashedCount === 1, { what: 'the closed tab to be stashed' });
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
    await waitFor(() => server.statehouse.runtime.registry.stashedCount === 1, { what: 'the closed tab to be stashed' });
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
      await waitFor(() => registry.sizes().connections === 0, { what: 'the close to be handled' });
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
