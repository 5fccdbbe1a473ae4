/**
 * The examples of the README (writing an app) and of
 * docs/context-processors.md, docs/languages.md, docs/http-routes.md and
 * docs/crud.md, as written there (imports adjusted), run for real, imported
 * through the package's own name as an app would.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { asc, like } from 'drizzle-orm';
import { Elysia } from 'elysia';
import { z } from 'zod';
import { notes } from '../../db/schema';
import {
  authed,
  authedRoute,
  type BuiltinContext,
  can,
  canRoute,
  contextOf,
  createAppRouter,
  defineSlice,
  guarded,
  identity,
  languageProcessor,
  publicProcedure,
  router,
  scopedCrudRouter,
  siteProcessor,
  staffRoute,
  userSnapshotProcessor,
  withContext,
} from 'statehouse/server';
import { LANGUAGE_DIRECTIONS, messagesFor } from '../../server/i18n/catalog';
import type { Runtime } from '../../server/runtime';
import { startTestServer, type TestServer } from '../helpers/server';

// --- Context processors
const config = { siteName: 'Acme', contextProcessors: [siteProcessor, languageProcessor, userSnapshotProcessor] };

export const homeRouter = router({
  title: publicProcedure.query(async ({ ctx }) => {
    const { SITE_NAME } = await ctx.request.loadContext<BuiltinContext>();
    return SITE_NAME;
  }),
  welcome: publicProcedure
    .use(withContext<BuiltinContext>())
    .query(({ ctx }) => `${ctx.request.context.SITE_NAME} (${ctx.request.context.LANGUAGE_CODE})`),
  greet: publicProcedure.query(() => greeting()),
});

export async function greeting(): Promise<string> {
  const { SITE_NAME, user } = await contextOf<BuiltinContext>();
  return `Welcome to ${SITE_NAME}, ${user.username || 'guest'}`;
}

// --- HTTP routes with the same identity
function api(runtime: Runtime) {
  return new Elysia({ name: 'my-api' })
    .use(identity(runtime))
    .get('/api/me', ({ user }) => ({ username: user.username }), { beforeHandle: authedRoute() })
    .get('/api/audit', () => ({ ok: true }), { beforeHandle: canRoute('notes.delete_note') })
    .get('/api/admin/users', () => ({ ok: true }), { beforeHandle: staffRoute() });
}

// --- User-scoped CRUD
export const memosSlice = defineSlice('memos', { items: [] as { id: number; title: string }[], page: 1, hasMore: false, canDelete: false });

export const memosRouter = scopedCrudRouter({
  table: notes,
  scopeColumn: notes.userId,
  idColumn: notes.id,
  input: z.object({ title: z.string().trim().min(1).max(200) }),
  columns: ['id', 'title'],
  order: asc(notes.title),
  pageSize: 20,
  slice: memosSlice,
  actions: { delete: { perm: 'notes.delete_note' } },
  hooks: {
    filter: (ctx) => {
      const q = ctx.request.query.get('q');
      return q ? like(notes.title, `%${q}%`) : undefined;
    },
    createValues: () => ({ createdAt: Date.now(), updatedAt: Date.now() }),
    updateValues: () => ({ updatedAt: Date.now() }),
  },
});

// --- README: writing an app (the server part)
export const dashboard = defineSlice('dashboard', { tab: 'overview', lastPath: '' });

export const dashboardRouter = router({
  visit: publicProcedure.mutation(async ({ ctx }) => {
    ctx.state.set(dashboard, { tab: ctx.request.query.get('tab') ?? 'overview' });
    return { path: ctx.request.path };
  }),
  remember: guarded(authed()).mutation(async ({ ctx }) => {
    await ctx.session.set('lastPath', ctx.request.path);
    return ctx.user.username;
  }),
  purge: guarded(can('notes.delete_note'))
    .input(z.object({ id: z.number() }))
    .mutation(() => true),
});

const appRouter = createAppRouter({ home: homeRouter, memos: memosRouter, dashboard: dashboardRouter });

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

describe('README examples', () => {
  test('writing an app: the dashboard router', async () => {
    server = await startTestServer({}, { router: appRouter, slices: [memosSlice, dashboard] });
    const anonymous = await server.open({ path: '/', query: '?tab=help' });
    const visit = await anonymous.ok('mutation', 'dashboard.visit');
    expect(visit.data).toEqual({ path: '/' });
    expect(visit.delta.dashboard).toEqual({ tab: 'help' });
    expect((await anonymous.call('mutation', 'dashboard.remember')).error?.data.code).toBe('UNAUTHORIZED');
    await anonymous.close();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie, path: '/notes' });
    expect((await ws.ok('mutation', 'dashboard.remember')).data).toBe('alice');
    expect((await ws.call('mutation', 'dashboard.purge', { id: 1 })).error?.data.code).toBe('FORBIDDEN');
    await ws.close();
  });

  test('context processors', async () => {
    server = await startTestServer({ ...config, languages: ['en', 'ar'] }, { router: appRouter, slices: [memosSlice] });
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie, headers: { 'accept-language': 'ar' } });
    expect((await ws.ok('query', 'home.title')).data).toBe('Acme');
    expect((await ws.ok('query', 'home.welcome')).data).toBe('Acme (ar)');
    expect((await ws.ok('query', 'home.greet')).data).toBe('Welcome to Acme, alice');
    await ws.close();
  });

  test('the catalog', () => {
    const t = messagesFor('ar', { signIn: 'Log in', 'ar.signIn': 'الدخول' });
    expect(t.signIn).toBe('الدخول');
    expect(t.sendResetLink).toBe('إرسال رابط إعادة التعيين');
    expect(LANGUAGE_DIRECTIONS.ar).toBe('rtl');
  });

  test('HTTP routes with the same identity', async () => {
    server = await startTestServer({}, { router: appRouter, slices: [memosSlice], http: api });
    const alice = await server.userWithSession('alice');
    expect(await (await fetch(`${server.url}/api/me`, { headers: { cookie: alice.cookie } })).json()).toEqual({ username: 'alice' });
    expect((await fetch(`${server.url}/api/me`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/audit`, { headers: { cookie: alice.cookie } })).status).toBe(403);
    expect((await fetch(`${server.url}/api/admin/users`, { headers: { cookie: alice.cookie } })).status).toBe(403);
  });

  test('user-scoped CRUD', async () => {
    server = await startTestServer({}, { router: appRouter, slices: [memosSlice] });
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie, path: '/memos', query: '?q=tea' });
    await ws.ok('mutation', 'memos.create', { title: 'green tea' });
    const second = await ws.ok('mutation', 'memos.create', { title: 'coffee' });
    expect((await ws.ok('query', 'memos.list')).data.items.map((m: { title: string }) => m.title)).toEqual(['green tea']);
    expect((await ws.call('mutation', 'memos.delete', { id: second.data.id })).error?.data.code).toBe('FORBIDDEN');
    await ws.close();
  });
});
