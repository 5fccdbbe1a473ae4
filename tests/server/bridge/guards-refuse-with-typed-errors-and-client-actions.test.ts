import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
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
