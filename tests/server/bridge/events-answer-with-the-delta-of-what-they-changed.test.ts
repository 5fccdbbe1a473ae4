import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
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
