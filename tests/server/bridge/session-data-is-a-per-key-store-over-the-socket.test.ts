import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
});

describe('session store', () => {
  test('two connections writing different keys of one session both survive', async () => {
    const alice = await server.userWithSession('alice');
    const a = await server.open({ cookie: alice.cookie });
    const b = await server.open({ cookie: alice.cookie });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        a.ok('mutation', 'probe.sessionSet', { key: `a${i}`, value: `A${i}` }),
        b.ok('mutation', 'probe.sessionSet', { key: `b${i}`, value: `B${i}` }),
      ]).flat(),
    );
    const keys = (await a.ok('query', 'probe.sessionKeys')).data as string[];
    expect(keys).toHaveLength(20);
    expect((await b.ok('query', 'probe.sessionGet', { key: 'a9' })).data).toBe('A9');
    await a.close();
    await b.close();
  });

  test('an anonymous visitor’s first write creates a session and asks for a cookie sync', async () => {
    const ws = await server.open();
    const first = await ws.ok('mutation', 'probe.sessionSet', { key: 'cart', value: 'apples' });
    expect(first.actions).toEqual([{ type: 'syncCookieThenNavigate', ticket: expect.any(String), to: null, session: expect.any(String) }]);
    const second = await ws.ok('mutation', 'probe.sessionSet', { key: 'cart', value: 'pears' });
    expect(second.actions).toEqual([]);
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'cart' })).data).toBe('pears');
    await ws.close();
  });
});
