import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { appRouter, appSlices } from '../../../server/app/router';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';

let server: TestServer;
let alice: TestSocket;
let bob: TestSocket;
let aliceNote: number;

beforeEach(async () => {
  server = await startTestServer({}, { router: appRouter, slices: appSlices });
  const a = await server.userWithSession('alice', { perms: ['notes.delete_note'] });
  const b = await server.userWithSession('bob', { perms: ['notes.delete_note'] });
  alice = await server.open({ cookie: a.cookie });
  bob = await server.open({ cookie: b.cookie });
  aliceNote = (await alice.ok('mutation', 'notes.add', { title: 'alice’s secret', content: 'do not share' })).data.id;
});
afterEach(async () => {
  await alice.close();
  await bob.close();
  await server.stop();
});

describe('another user’s row is NOT_FOUND, never FORBIDDEN', () => {
  test('list does not show it', async () => {
    expect((await bob.ok('query', 'notes.list')).data).toEqual({ items: [], page: 1, pageSize: 200, hasMore: false });
  });

  test('get, update and delete of it are all NOT_FOUND, and the row is untouched', async () => {
    for (const [method, path, input] of [
      ['query', 'notes.get', { id: aliceNote }],
      ['mutation', 'notes.update', { id: aliceNote, title: 'hijacked' }],
      ['mutation', 'notes.delete', { id: aliceNote }],
    ] as const) {
      const reply = await bob.call(method, path, input);
      expect(reply.error?.data.code).toBe('NOT_FOUND');
      expect(reply.error?.message).toBe('No such note.');
    }
    expect((await alice.ok('query', 'notes.get', { id: aliceNote })).data).toMatchObject({
      title: 'alice’s secret',
      content: 'do not share',
    });
  });

  test('an id that exists nowhere answers the same as another user’s', async () => {
    const missing = await bob.call('query', 'notes.get', { id: 999_999 });
    const theirs = await bob.call('query', 'notes.get', { id: aliceNote });
    expect(missing.error?.data.code).toBe(theirs.error!.data.code);
    expect(missing.error?.message).toBe(theirs.error!.message);
  });

  test('the owner can read, update and delete it', async () => {
    const updated = await alice.ok('mutation', 'notes.update', { id: aliceNote, title: 'renamed' });
    expect(updated.data).toMatchObject({ id: aliceNote, title: 'renamed', content: '' });
    expect((await alice.ok('mutation', 'notes.delete', { id: aliceNote })).data).toEqual({ id: aliceNote });
    expect((await alice.call('query', 'notes.get', { id: aliceNote })).error?.data.code).toBe('NOT_FOUND');
  });
});

describe('validation', () => {
  test('bad input is a typed BAD_REQUEST with field errors', async () => {
    const empty = await alice.call('mutation', 'notes.add', { title: '   ' });
    expect(empty.error?.data.code).toBe('BAD_REQUEST');
    expect(empty.error?.data.statehouse.fieldErrors).toEqual([{ field: 'title', code: 'too_small', message: 'Enter a title.' }]);

    const update = await alice.call('mutation', 'notes.update', { id: -1, title: 'x'.repeat(201) });
    expect(update.error?.data.code).toBe('BAD_REQUEST');
    const fields = (update.error?.data.statehouse.fieldErrors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['id', 'title']);

    const page = await alice.call('query', 'notes.list', { page: 0 });
    expect(page.error?.data.statehouse.fieldErrors[0]).toMatchObject({ field: 'page' });
  });

  test('the owner column cannot be smuggled in through the input', async () => {
    const b = await bob.ok('mutation', 'notes.add', { title: 'mine', userId: 1 });
    expect((await bob.ok('query', 'notes.get', { id: b.data.id })).data.title).toBe('mine');
    expect((await alice.call('query', 'notes.get', { id: b.data.id })).error?.data.code).toBe('NOT_FOUND');
  });
});

describe('authorization per action', () => {
  test('anonymous callers are sent to log in', async () => {
    const anonymous = await server.open({ path: '/notes' });
    const reply = await anonymous.call('query', 'notes.list');
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    expect(reply.error?.data.statehouse.actions).toEqual([{ type: 'navigate', to: '/login?next=%2Fnotes' }]);
    await anonymous.close();
  });

  test('delete needs notes.delete_note', async () => {
    const carol = await server.userWithSession('carol');
    const ws = await server.open({ cookie: carol.cookie });
    const own = (await ws.ok('mutation', 'notes.add', { title: 'carol' })).data.id;
    expect((await ws.call('mutation', 'notes.delete', { id: own })).error?.data.code).toBe('FORBIDDEN');
    expect((await ws.ok('query', 'notes.get', { id: own })).data.title).toBe('carol');
    await ws.close();
  });
});

describe('the notes slice follows through deltas', () => {
  test('list, add, update and delete each send the changed items', async () => {
    const list = await bob.ok('query', 'notes.list');
    expect(list.delta.notes).toEqual({ canDelete: true });
    const added = await bob.ok('mutation', 'notes.add', { title: 'one' });
    expect(added.delta.notes.items).toEqual([{ id: added.data.id, title: 'one', content: '', updatedAt: expect.any(Number) }]);
    const second = await bob.ok('mutation', 'notes.add', { title: 'two' });
    expect(second.delta.notes.items.map((n: { title: string }) => n.title)).toEqual(['two', 'one']);
    const updated = await bob.ok('mutation', 'notes.update', { id: added.data.id, title: 'uno' });
    expect(updated.delta.notes.items.map((n: { title: string }) => n.title)).toEqual(['two', 'uno']);
    const deleted = await bob.ok('mutation', 'notes.delete', { id: second.data.id });
    expect(deleted.delta.notes.items.map((n: { title: string }) => n.title)).toEqual(['uno']);
    // Nothing changed: nothing sent.
    expect((await bob.ok('query', 'notes.list')).delta).toEqual({});
  });

  test('a user without the delete permission sees canDelete false', async () => {
    const carol = await server.userWithSession('carol');
    const ws = await server.open({ cookie: carol.cookie });
    await ws.ok('mutation', 'notes.add', { title: 'c' });
    const push = await ws.subscribeState();
    expect(push.delta.notes.canDelete).toBe(false);
    expect(push.delta.notes.items).toHaveLength(1);
    await ws.close();
  });
});
