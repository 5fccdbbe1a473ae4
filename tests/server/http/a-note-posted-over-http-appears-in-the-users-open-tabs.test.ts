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

function post(cookie: string | null, body: unknown, origin: string = server.url): Promise<Response> {
  return fetch(`${server.url}/api/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

describe('POST /api/notes', () => {
  test("adds the note, and every open Notes tab of the user shows it at once; other users' tabs see nothing", async () => {
    const alice = await server.userWithSession('alice');
    const bob = await server.userWithSession('bob');
    const tabs = [await server.open({ cookie: alice.cookie, path: '/notes' }), await server.open({ cookie: alice.cookie, path: '/notes' })];
    const bobs = await server.open({ cookie: bob.cookie, path: '/notes' });
    for (const ws of [...tabs, bobs]) {
      await ws.subscribeState();
      await ws.ok('query', 'notes.list');
    }
    await tabs[0]!.ok('mutation', 'notes.add', { title: 'typed in a tab' });

    const res = await post(alice.cookie, { title: 'from a webhook', content: 'body' });
    expect(res.status).toBe(201);
    const note = (await res.json()) as { id: number; title: string };
    expect(note.title).toBe('from a webhook');

    for (const ws of tabs) {
      await ws.waitForPushes(2);
      const pushed = ws.pushes[ws.pushes.length - 1];
      expect(pushed.delta.notes.items.map((n: { title: string }) => n.title)).toEqual(['from a webhook', 'typed in a tab']);
      expect(pushed.actions).toEqual([]);
    }
    await bobs.ok('query', 'notes.list');
    expect(bobs.pushes).toHaveLength(1);
    // The tab that already held the list gets no second copy on its next event.
    expect((await tabs[1]!.ok('query', 'notes.list')).delta.notes).toBeUndefined();
    for (const ws of [...tabs, bobs]) await ws.close();
  });

  test('answers 400 with field errors for a bad body, and adds nothing', async () => {
    const alice = await server.userWithSession('alice');
    const res = await post(alice.cookie, { title: '   ', content: 42 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; fieldErrors: { field: string }[] };
    expect(body.error).toBe('invalid');
    expect(body.fieldErrors.map((e) => e.field).sort()).toEqual(['content', 'title']);
    const list = (await (await fetch(`${server.url}/api/notes`, { headers: { cookie: alice.cookie } })).json()) as { items: unknown[] };
    expect(list.items).toEqual([]);
  });

  test('is 401 for an anonymous caller and 403 from another site', async () => {
    expect((await post(null, { title: 'x' })).status).toBe(401);
    const alice = await server.userWithSession('alice');
    expect((await post(alice.cookie, { title: 'x' }, 'https://evil.example')).status).toBe(403);
  });
});
