import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../helpers/server';
import { waitFor } from '../../helpers/wait-for';
import { upgradeStatus } from '../../helpers/socket-client';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
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
    await waitFor(() => server.statehouse.runtime.registry.connectionsFrom('127.0.0.1') === 1, { what: 'the close to be counted' });
    const third = await server.open();
    expect((await third.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await Promise.all([second.close(), third.close()]);
    await waitFor(() => server.statehouse.runtime.registry.sizes().connections === 0, { what: 'every close to be counted' });
    expect(server.statehouse.runtime.registry.sizes()).toMatchObject({ connections: 0, addresses: 0 });
  });

  test('closing sockets leaves no connection or index entry behind', async () => {
    const alice = await server.userWithSession('alice');
    const sockets = await Promise.all(Array.from({ length: 20 }, () => server.open({ cookie: alice.cookie })));
    await Promise.all(sockets.map((ws) => ws.subscribeState()));
    expect(server.statehouse.runtime.registry.sizes().connections).toBe(20);
    await Promise.all(sockets.map((ws) => ws.close()));
    await waitFor(() => server.statehouse.runtime.registry.sizes().connections === 0, { what: 'every close to be counted' });
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
