import { z } from 'zod';
import {
  authed,
  can,
  createAppRouter,
  createStatehouse,
  currentRequest,
  currentUser,
  defineSlice,
  loadConfig,
  publicProcedure,
  router,
  type Statehouse,
  type StatehouseConfigInput,
  type StatehouseOptions,
} from '../../server';
import type { RateLimiter } from '../../server/auth/rate-limit';
import { createSession } from '../../server/auth/session';
import { addUserToGroup, createUser, ensureGroup, grantUserPermission } from '../../server/auth/users';
import { createLogger, type Logger } from '../../server/log';
import type { SliceDefinition } from '../../server/state/slices';
import type { AnyRouter } from '@trpc/server';
import { createTestDatabase, TEST_HASHING, TEST_RULES, type TestDatabase } from './db';
import { TestSocket, type OpenOptions } from './socket-client';

export const dashboard = defineSlice('dashboard', { lastPath: '', tab: 'overview', counter: 0 });

/** A helper called from deep inside a handler: the accessors must still see the event. */
async function nestedWhoami() {
  await Promise.resolve();
  return { userId: currentUser().id, path: currentRequest().path };
}

export const probeRouter = router({
  whoami: publicProcedure.query(async ({ ctx }) => ({
    userId: ctx.user.id,
    username: ctx.user.username,
    isAuthenticated: ctx.user.isAuthenticated,
    path: ctx.request.path,
    query: ctx.request.query.toString(),
    ip: ctx.request.ip,
    nested: await nestedWhoami(),
  })),
  setTab: publicProcedure.input(z.object({ tab: z.string().max(50) })).mutation(({ ctx, input }) => {
    ctx.state.set(dashboard, { tab: input.tab, lastPath: ctx.request.path });
    return input.tab;
  }),
  bump: publicProcedure.mutation(({ ctx }) => {
    ctx.state.update(dashboard, (d) => ({ counter: d.counter + 1 }));
    return ctx.state.get(dashboard).counter;
  }),
  sessionSet: publicProcedure
    .input(z.object({ key: z.string().max(100), value: z.string().max(1000) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.session.set(input.key, input.value);
      return true;
    }),
  sessionGet: publicProcedure.input(z.object({ key: z.string().max(100) })).query(async ({ ctx, input }) => {
    return (await ctx.session.get<string>(input.key)) ?? null;
  }),
  sessionKeys: publicProcedure.query(async ({ ctx }) => (await ctx.session.keys()).sort()),
  /** A push from inside a process, as a job of that process would make it: a user's tabs, on every process. */
  pushTab: publicProcedure.input(z.object({ userId: z.number().int(), tab: z.string().max(50) })).mutation(async ({ ctx, input }) => {
    await ctx.runtime.pusher.push({ userId: input.userId }, dashboard, { tab: input.tab });
    return true;
  }),
  secret: publicProcedure.use(authed()).query(({ ctx }) => `hello ${ctx.user.username}`),
  deleteNote: publicProcedure.use(can('notes.delete_note')).mutation(({ ctx }) => `deleted by ${ctx.user.username}`),
});

export const testRouter = createAppRouter({ probe: probeRouter });
export type TestRouter = typeof testRouter;

export interface TestServer {
  statehouse: Statehouse;
  url: string;
  db: TestDatabase;
  open(options?: OpenOptions): Promise<TestSocket>;
  /** Creates a user (no password: no hashing cost) and a session; returns the cookie header. */
  userWithSession(
    username: string,
    options?: { perms?: string[]; groups?: string[]; staff?: boolean; superuser?: boolean; active?: boolean },
  ): Promise<{ userId: number; token: string; sessionId: string; cookie: string }>;
  stop(): Promise<void>;
}

/** What a test may swap in (the probe router, its slices and a silent logger by default). */
export interface TestServerOptions {
  router?: AnyRouter;
  slices?: readonly SliceDefinition[];
  http?: StatehouseOptions<AnyRouter>['http'];
  log?: Logger;
  /** A rate limiter of the test's own (e.g. with a longer account lock-out). */
  limiter?: RateLimiter;
  /** A built client to serve (none by default). */
  clientDir?: string;
  /** The app's user model (Statehouse's own fields only by default). */
  user?: StatehouseOptions<AnyRouter>['user'];
  /** Another test server's database, shared as processes share one (left open by `stop()`). */
  database?: TestDatabase;
}

/** A real Statehouse on `listen(0)` over a fresh libSQL file. */
export async function startTestServer(config: StatehouseConfigInput = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const db = options.database ?? (await createTestDatabase());
  const loaded = loadConfig({ env: 'test', logLevel: 'silent', ...config, databaseUrl: `file:${db.path}` }, {});
  const statehouse = await createStatehouse({
    router: options.router ?? testRouter,
    config: loaded,
    slices: options.slices ?? [dashboard],
    database: db,
    log: options.log ?? createLogger(loaded.logLevel),
    limiter: options.limiter,
    http: options.http,
    clientDir: options.clientDir,
    user: options.user,
  });
  const { url } = await statehouse.listen(0);
  const cookieName = loaded.auth.cookieName;
  return {
    statehouse,
    url,
    db,
    open: (options) => TestSocket.open(url, options),
    async userWithSession(username, options = {}) {
      const created = await createUser(
        db.db,
        { username, isStaff: options.staff, isSuperuser: options.superuser, isActive: options.active },
        { hashing: TEST_HASHING, rules: TEST_RULES },
      );
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      for (const perm of options.perms ?? []) await grantUserPermission(db.db, created.value.id, perm);
      for (const group of options.groups ?? []) await addUserToGroup(db.db, created.value.id, await ensureGroup(db.db, group));
      const { token, session } = await createSession(statehouse.runtime.sessions, statehouse.runtime.sessionSettings, {
        userId: created.value.id,
      });
      return { userId: created.value.id, token, sessionId: session.id, cookie: `${cookieName}=${token}` };
    },
    async stop() {
      await statehouse.stop();
      if (!options.database) db.cleanup();
    },
  };
}
