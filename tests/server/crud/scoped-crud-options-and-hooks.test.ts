import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { asc, like, ne } from 'drizzle-orm';
import { z } from 'zod';
import { notes } from '../../../db/schema';
import { createAppRouter, defineSlice, scopedCrudRouter } from '../../../server';
import { startTestServer, type TestServer } from '../../helpers/server';

const memoSlice = defineSlice('memos', {
  items: [] as { id: number; title: string }[],
  page: 1,
  hasMore: false,
  canCreate: false,
  canDelete: false,
});

const memoInput = z.object({ title: z.string().trim().min(1).max(50) });
let created = 0;

const memosRouter = scopedCrudRouter({
  table: notes,
  scopeColumn: notes.userId,
  idColumn: notes.id,
  input: memoInput,
  columns: ['id', 'title'],
  order: asc(notes.title),
  pageSize: 2,
  maxPageSize: 5,
  slice: memoSlice,
  actions: { list: { auth: false }, create: { perm: 'memos.add_memo' }, delete: { perm: 'memos.delete_memo' } },
  hooks: {
    // Archived memos (title "archived") do not exist as far as the router knows.
    getQuery: () => ne(notes.title, 'archived'),
    // The list follows the page's ?q= (the route mirror).
    filter: (ctx) => {
      const q = ctx.request.query.get('q');
      return q ? like(notes.title, `%${q}%`) : undefined;
    },
    createValues: () => {
      created++;
      const now = Date.now();
      return { createdAt: now, updatedAt: now, content: 'made by the hook' };
    },
    updateValues: () => ({ updatedAt: Date.now() }),
  },
});

let server: TestServer;
beforeEach(async () => {
  created = 0;
  server = await startTestServer({}, { router: createAppRouter({ memos: memosRouter }), slices: [memoSlice] });
});
afterEach(async () => {
  await server.stop();
});

async function writer() {
  const user = await server.userWithSession('writer', { perms: ['memos.add_memo'] });
  return { user, ws: await server.open({ cookie: user.cookie }) };
}

describe('scopedCrudRouter options', () => {
  test('pages in the configured order, with hasMore, and bounds the page size', async () => {
    const { ws } = await writer();
    for (const title of ['delta', 'alpha', 'charlie', 'bravo', 'echo']) await ws.ok('mutation', 'memos.create', { title });
    const first = await ws.ok('query', 'memos.list');
    expect(first.data).toEqual({
      items: [expect.objectContaining({ title: 'alpha' }), expect.objectContaining({ title: 'bravo' })],
      page: 1,
      pageSize: 2,
      hasMore: true,
    });
    const last = await ws.ok('query', 'memos.list', { page: 3 });
    expect(last.data.items.map((m: { title: string }) => m.title)).toEqual(['echo']);
    expect(last.data.hasMore).toBe(false);
    expect(last.delta.memos).toMatchObject({ page: 3, hasMore: false });
    expect((await ws.call('query', 'memos.list', { pageSize: 6 })).error?.data.code).toBe('BAD_REQUEST');
    await ws.close();
  });

  test('returns only the chosen columns', async () => {
    const { ws } = await writer();
    const row = (await ws.ok('mutation', 'memos.create', { title: 'x' })).data;
    expect(Object.keys(row).sort()).toEqual(['id', 'title']);
    await ws.close();
  });

  test('auth: false lets anonymous callers list, and they see nothing', async () => {
    const { ws } = await writer();
    await ws.ok('mutation', 'memos.create', { title: 'private' });
    const anonymous = await server.open();
    expect((await anonymous.ok('query', 'memos.list')).data.items).toEqual([]);
    expect((await anonymous.call('query', 'memos.get', { id: 1 })).error?.data.code).toBe('UNAUTHORIZED');
    await anonymous.close();
    await ws.close();
  });

  test('a permission per action: without it FORBIDDEN, and the can* slice fields say so', async () => {
    const reader = await server.userWithSession('reader');
    const ws = await server.open({ cookie: reader.cookie });
    expect((await ws.call('mutation', 'memos.create', { title: 'nope' })).error?.data.code).toBe('FORBIDDEN');
    expect((await ws.ok('query', 'memos.list')).delta.memos).toBeUndefined();
    const { ws: w } = await writer();
    expect((await w.ok('query', 'memos.list')).delta.memos).toEqual({ canCreate: true });
    await ws.close();
    await w.close();
  });
});

describe('scopedCrudRouter hooks', () => {
  test('createValues fills the insert; the scope column is still the caller', async () => {
    const { ws, user } = await writer();
    const row = (await ws.ok('mutation', 'memos.create', { title: 'hooked' })).data;
    expect(created).toBe(1);
    const [stored] = await server.db.db.select().from(notes);
    expect(stored).toMatchObject({ id: row.id, userId: user.userId, content: 'made by the hook' });
    await ws.close();
  });

  test('getQuery hides rows from every action: they are NOT_FOUND', async () => {
    const { ws } = await writer();
    const hidden = (await ws.ok('mutation', 'memos.create', { title: 'archived' })).data.id;
    await ws.ok('mutation', 'memos.create', { title: 'visible' });
    expect((await ws.ok('query', 'memos.list')).data.items.map((m: { title: string }) => m.title)).toEqual(['visible']);
    expect((await ws.call('query', 'memos.get', { id: hidden })).error?.data.code).toBe('NOT_FOUND');
    expect((await ws.call('mutation', 'memos.update', { id: hidden, title: 'back' })).error?.data.code).toBe('NOT_FOUND');
    await ws.close();
  });

  test('filter narrows the list from the page’s query, and the slice after writes too', async () => {
    const { user } = await writer();
    const ws = await server.open({ cookie: user.cookie, path: '/memos', query: '?q=ap' });
    await ws.ok('mutation', 'memos.create', { title: 'apple' });
    const second = await ws.ok('mutation', 'memos.create', { title: 'banana' });
    expect(second.delta).toEqual({});
    const third = await ws.ok('mutation', 'memos.create', { title: 'grape' });
    expect(third.delta.memos.items.map((m: { title: string }) => m.title)).toEqual(['apple', 'grape']);
    // A row outside the filter is still the caller's: reachable by id.
    expect((await ws.ok('query', 'memos.get', { id: second.data.id })).data.title).toBe('banana');
    await ws.close();
  });
});
