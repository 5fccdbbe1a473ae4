import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { notesApi } from '../../../server/app/notes-api';
import { appRouter, appSlices } from '../../../server/app/router';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({}, { router: appRouter, slices: appSlices, http: notesApi });
});
afterEach(async () => {
  await server.stop();
});

describe('GET /api/notes', () => {
  test('answers the caller’s notes only, newest first, as JSON', async () => {
    const alice = await server.userWithSession('alice');
    const bob = await server.userWithSession('bob');
    const a = await server.open({ cookie: alice.cookie });
    const b = await server.open({ cookie: bob.cookie });
    await a.ok('mutation', 'notes.add', { title: 'first of alice' });
    await b.ok('mutation', 'notes.add', { title: 'bob’s only' });
    await a.ok('mutation', 'notes.add', { title: 'second of alice', content: 'body' });

    const res = await fetch(`${server.url}/api/notes`, { headers: { cookie: alice.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { items } = (await res.json()) as { items: { title: string; content: string }[] };
    expect(items.map((n) => n.title)).toEqual(['second of alice', 'first of alice']);
    expect(Object.keys(items[0]!).sort()).toEqual(['content', 'id', 'title', 'updatedAt']);

    const bobs = (await (await fetch(`${server.url}/api/notes`, { headers: { cookie: bob.cookie } })).json()) as {
      items: { title: string }[];
    };
    expect(bobs.items.map((n) => n.title)).toEqual(['bob’s only']);
    await a.close();
    await b.close();
  });

  test('is 401 JSON for an anonymous caller', async () => {
    const res = await fetch(`${server.url}/api/notes`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthorized', message: 'Please sign in to continue.' });
  });
});
