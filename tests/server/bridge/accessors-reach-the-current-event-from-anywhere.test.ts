import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { currentRequest, currentUser, requireLoginUser } from '../../../server';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
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
