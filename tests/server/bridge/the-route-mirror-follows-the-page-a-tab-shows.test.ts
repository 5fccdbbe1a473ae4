import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
});

describe('route mirror', () => {
  test('the request path and query are the page the tab shows', async () => {
    const ws = await server.open({ path: '/start', query: '?a=1' });
    expect((await ws.ok('query', 'probe.whoami')).data).toMatchObject({ path: '/start', query: 'a=1' });
    // A route report sent right before an event is applied before that event runs.
    const route = ws.call('mutation', 'statehouse.route', { path: '/notes', query: '?tab=activity' });
    const who = ws.call('query', 'probe.whoami');
    await route;
    expect((await who).result?.data).toMatchObject({ data: { path: '/notes', query: 'tab=activity' } });
    await ws.close();
  });

  test('a route report is applied before the calls after it in the same batch frame', async () => {
    const ws = await server.open({ path: '/start' });
    const [route, who] = await ws.batch([
      { method: 'mutation', path: 'statehouse.route', input: { path: '/batched', query: '?x=1' } },
      { method: 'query', path: 'probe.whoami' },
    ]);
    expect(route!.error).toBeUndefined();
    expect(who!.result?.data).toMatchObject({ data: { path: '/batched', query: 'x=1' } });
    await ws.close();
  });

  test('malformed route reports are refused and change nothing', async () => {
    const ws = await server.open({ path: '/here' });
    const reply = await ws.call('mutation', 'statehouse.route', { path: 'http://evil/', query: '' });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    expect((await ws.ok('query', 'probe.whoami')).data.path).toBe('/here');
    await ws.close();
  });
});
