/**
 * The examples of the README (writing an app, pushing from outside an event)
 * and of docs/context-processors.md, docs/languages.md, docs/http-routes.md,
 * docs/crud.md, docs/realtime.md (pushes) and docs/authentication.md (hooks),
 * as written there (imports adjusted), run for real, imported through the
 * package's own name as an app would.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { asc, like } from 'drizzle-orm';
import { Elysia } from 'elysia';
import { z } from 'zod';
import { notes } from '../../db/schema';
import {
  type AppAction,
  authed,
  authedRoute,
  type BuiltinContext,
  can,
  canRoute,
  connectPusher,
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
  type Statehouse,
  type StatehouseConfigInput,
  userSnapshotProcessor,
  withContext,
} from 'statehouse/server';
import { LANGUAGE_DIRECTIONS, messagesFor } from '../../server/i18n/catalog';
import type { Runtime } from '../../server/runtime';
import { createUser } from '../../server/auth/users';
import { TEST_HASHING, TEST_RULES } from '../helpers/db';
import { HAVE_REDIS, startRedis, type RedisServer } from '../helpers/redis';
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

// --- README: pushing from outside an event
/** An import finished: the user's open tabs show the activity tab and say so. */
export async function importFinished(statehouse: Statehouse, userId: number) {
  const done = { type: 'toast', kind: 'success', message: 'Import finished' } as const;
  await statehouse.push({ userId }, dashboard, { tab: 'activity' }, { actions: [done] });
}

// --- docs/realtime.md: pushes (its slice, as the example app declares it)
type Note = { id: number; title: string };
const notesSlice = defineSlice('notes', { items: [] as Note[], canDelete: false as boolean });

export async function noteShared(statehouse: Statehouse, userId: number, items: Note[]) {
  const told: AppAction = { type: 'toast', kind: 'info', message: 'A note was shared with you' };
  // Sets fields of the slice in every open tab of the user, then runs the actions there.
  await statehouse.push({ userId }, notesSlice, { items }, { actions: [told] });
}

// --- docs/authentication.md: app-wide hooks
const hooksConfig: StatehouseConfigInput = {
  hooks: {
    onAuthFailed: () => [{ type: 'toast', kind: 'info', message: 'Forgot your password? Reset it from the sign-in page.' }],
    onPermissionDenied: ({ perm }) => (perm === 'billing.view' ? [{ type: 'navigate', to: '/upgrade' }] : undefined),
  },
};
const billingRouter = router({ invoices: guarded(can('billing.view')).query(() => []) });

const appRouter = createAppRouter({ home: homeRouter, memos: memosRouter, dashboard: dashboardRouter, billing: billingRouter });

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

describe('pushes (README, docs/realtime.md)', () => {
  test('a job pushes a slice and actions to a user’s open tabs; toast and navigate alone', async () => {
    server = await startTestServer({}, { router: appRouter, slices: [dashboard, notesSlice] });
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    const { statehouse } = server;
    await importFinished(statehouse, alice.userId);
    await noteShared(statehouse, alice.userId, [{ id: 1, title: 'Shared' }]);
    await statehouse.toast({ all: true }, 'warning', 'The site restarts in five minutes.');
    await statehouse.navigate({ sessionId: alice.sessionId }, '/billing', { replace: true });
    await ws.waitForPushes(5);
    expect(ws.pushes.slice(1)).toEqual([
      { delta: { dashboard: { tab: 'activity' } }, actions: [{ type: 'toast', kind: 'success', message: 'Import finished' }] },
      {
        delta: { notes: { items: [{ id: 1, title: 'Shared' }] } },
        actions: [{ type: 'toast', kind: 'info', message: 'A note was shared with you' }],
      },
      { delta: {}, actions: [{ type: 'toast', kind: 'warning', message: 'The site restarts in five minutes.' }] },
      { delta: {}, actions: [{ type: 'navigate', to: '/billing', replace: true }] },
    ]);
    await ws.close();
  });
});

describe.skipIf(!HAVE_REDIS)('a process without a server (docs/realtime.md)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  test('connectPusher toasts every open tab over BUS_URL', async () => {
    server = await startTestServer({ busUrl: redis.url }, { router: appRouter, slices: [dashboard, notesSlice] });
    const ws = await server.open();
    await ws.subscribeState();
    const appSlices = [dashboard, notesSlice] as const;
    const before = process.env.BUS_URL;
    process.env.BUS_URL = redis.url;
    try {
      const statehouse = await connectPusher({ slices: appSlices }); // reads BUS_URL like a server
      try {
        await statehouse.toast({ all: true }, 'info', 'Maintenance tonight at 22:00.');
      } finally {
        await statehouse.close();
      }
    } finally {
      if (before === undefined) delete process.env.BUS_URL;
      else process.env.BUS_URL = before;
    }
    await ws.waitForPushes(2);
    expect(ws.pushes[1].actions).toEqual([{ type: 'toast', kind: 'info', message: 'Maintenance tonight at 22:00.' }]);
    await ws.close();
  });
});

describe('app-wide hooks (docs/authentication.md)', () => {
  test('a failed sign-in gets a toast; a refused billing page leads to the upgrade page, other refusals stay as they were', async () => {
    server = await startTestServer(hooksConfig, { router: appRouter, slices: [dashboard] });
    await createUser(server.db.db, { username: 'alice', password: 'correct horse battery' }, { hashing: TEST_HASHING, rules: TEST_RULES });
    const anonymous = await server.open();
    const failed = await anonymous.call('mutation', 'auth.login', { loginId: 'alice', password: 'wrong one' });
    expect(failed.error?.data.statehouse.actions).toEqual([
      { type: 'toast', kind: 'info', message: 'Forgot your password? Reset it from the sign-in page.' },
    ]);
    await anonymous.close();
    const bob = await server.userWithSession('bob');
    const ws = await server.open({ cookie: bob.cookie });
    const billing = await ws.call('query', 'billing.invoices');
    expect(billing.error?.data.statehouse.actions.map((a: { type: string }) => a.type)).toEqual(['toast', 'navigate']);
    expect(billing.error?.data.statehouse.actions[1]).toEqual({ type: 'navigate', to: '/upgrade' });
    const purge = await ws.call('mutation', 'dashboard.purge', { id: 1 });
    expect(purge.error?.data.statehouse.actions.map((a: { type: string }) => a.type)).toEqual(['toast']);
    await ws.close();
  });
});
