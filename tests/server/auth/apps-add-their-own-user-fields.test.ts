import { afterEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { Elysia } from 'elysia';
import { integer, text } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import { users } from '../../../db/schema';
import { defineUsersTable } from '../../../db/schema/auth';
import { appRouter, userModel } from '../../../server/app/router';
import {
  createAppRouter,
  currentUser,
  defineUserModel,
  identity,
  publicProcedure,
  router,
  userSnapshotProcessor,
  type UserSnapshotContext,
} from '../../../server';
import { createLibsqlSessionBackend } from '../../../server/auth/libsql-session-backend';
import { createRedisSessionBackend } from '../../../server/auth/redis-session-backend';
import { createUser } from '../../../server/auth/users';
import { TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { createSession, validateSessionToken } from '../../../server/auth/session';
import { SESSION_BACKEND_NAMES, useSessionBackend } from '../../helpers/session-backends';
import type { Runtime } from '../../../server/runtime';
import { createTestUser } from '../../helpers/db';
import { dashboard, probeRouter, startTestServer, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'a long enough passphrase';
const SETTINGS = { inactivityTimeoutMs: 60_000, renewalIntervalMs: 10_000, absoluteLifetimeMs: 600_000 };

const fieldsRouter = router({
  me: publicProcedure.query(({ ctx }) => ({ displayName: ctx.user.displayName ?? null, current: currentUser().displayName ?? null })),
  context: publicProcedure.query(async ({ ctx }) => (await ctx.request.loadContext<UserSnapshotContext>()).user),
});

function api(runtime: Runtime) {
  return new Elysia({ name: 'fields-api' })
    .use(identity(runtime))
    .get('/api/me', ({ user }) => ({ displayName: user.displayName ?? null }));
}

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

function start(options: { model?: boolean } = {}) {
  return startTestServer(
    { rateLimit: { ipBurst: 100 }, contextProcessors: [userSnapshotProcessor] },
    {
      router: createAppRouter({ ...appRouter._def.record, probe: probeRouter, fields: fieldsRouter } as never),
      slices: [dashboard],
      user: options.model === false ? undefined : userModel,
      http: api,
    },
  );
}

async function signedIn(ws: TestSocket, loginId: string) {
  const reply = await ws.call('mutation', 'auth.login', { loginId, password: PASSWORD });
  if (reply.error) throw new Error(reply.error.message);
  return reply.result!.data as { delta: any; actions: any[] };
}

describe("an app's own user fields", () => {
  test('appear on ctx.user, currentUser(), the HTTP identity and, for the chosen ones, the auth snapshot', async () => {
    server = await start();
    const row = await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });
    await server.db.db.update(users).set({ displayName: 'Alice A.' }).where(eq(users.id, row.id));
    const ws = await server.open();
    const login = await signedIn(ws, 'alice');
    expect(login.delta.auth.displayName).toBe('Alice A.');
    expect((await ws.ok('query', 'fields.me')).data).toEqual({ displayName: 'Alice A.', current: 'Alice A.' });

    const cookie = (await server.userWithSession('bob')).cookie;
    await server.db.db.update(users).set({ displayName: 'Bobby' }).where(eq(users.username, 'bob'));
    const res = await fetch(`${server.url}/api/me`, { headers: { cookie } });
    expect(await res.json()).toEqual({ displayName: 'Bobby' });

    // Signing out clears the field in the client's snapshot.
    const logout = await ws.ok('mutation', 'auth.logout');
    expect(logout.delta.auth.displayName).toBeNull();
    await ws.close();
  });

  test("userSnapshotProcessor's user carries the model's snapshot fields, as the auth snapshot does", async () => {
    server = await start();
    await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });
    const ws = await server.open();
    await signedIn(ws, 'alice');
    expect((await ws.ok('query', 'fields.context')).data).toMatchObject({ username: 'alice', displayName: '' });
    await ws.close();
    const bob = await server.userWithSession('bob');
    await server.db.db.update(users).set({ displayName: 'Bobby' }).where(eq(users.username, 'bob'));
    const again = await server.open({ cookie: bob.cookie });
    expect((await again.ok('query', 'fields.context')).data).toMatchObject({ username: 'bob', displayName: 'Bobby' });
    await again.close();
    // The anonymous user has no such field at all.
    const anonymous = await server.open();
    expect('displayName' in (await anonymous.ok('query', 'fields.context')).data).toBe(false);
    await anonymous.close();
  });

  test('without a user model they are not there', async () => {
    server = await start({ model: false });
    const alice = await server.userWithSession('alice');
    await server.db.db.update(users).set({ displayName: 'Alice A.' }).where(eq(users.id, alice.userId));
    const ws = await server.open({ cookie: alice.cookie });
    expect((await ws.ok('query', 'fields.me')).data).toEqual({ displayName: null, current: null });
    await ws.close();
  });

  test('sign-up takes the extra fields, validated by the model, and a bad one is a field error that creates nothing', async () => {
    server = await start();
    const ws = await server.open();
    const tooLong = await ws.call('mutation', 'auth.register', {
      username: 'carol',
      email: '',
      password: PASSWORD,
      confirmPassword: PASSWORD,
      fields: { displayName: 'x'.repeat(51) },
    });
    expect(tooLong.error?.data.code).toBe('BAD_REQUEST');
    expect(tooLong.error?.data.statehouse.fieldErrors).toEqual([expect.objectContaining({ field: 'displayName' })]);
    expect(await server.db.db.select().from(users).where(eq(users.username, 'carol'))).toHaveLength(0);

    const reply = await ws.ok('mutation', 'auth.register', {
      username: 'carol',
      email: '',
      password: PASSWORD,
      confirmPassword: PASSWORD,
      fields: { displayName: '  Carol  ', passwordHash: 'x', isSuperuser: true },
    });
    expect(reply.delta.auth.displayName).toBe('Carol');
    const [row] = await server.db.db.select().from(users).where(eq(users.username, 'carol'));
    expect(row!.displayName).toBe('Carol');
    expect(row!.isSuperuser).toBe(false);
    expect(row!.passwordHash).not.toBe('x');
    await ws.close();
  });

  test("the example's profile.update changes the name in the reply and in the user's other tabs", async () => {
    server = await start();
    const dana = await server.userWithSession('dana');
    const tab = await server.open({ cookie: dana.cookie });
    const sibling = await server.open({ cookie: dana.cookie });
    await tab.ok('query', 'fields.me');
    await sibling.subscribeState();
    const reply = await tab.ok('mutation', 'profile.update', { displayName: 'Dana' });
    expect(reply.data).toEqual({ displayName: 'Dana' });
    expect(reply.delta.auth).toEqual({ displayName: 'Dana' });
    await sibling.waitForPushes(2);
    expect(sibling.pushes[1].delta.auth).toEqual({ displayName: 'Dana' });
    const invalid = await tab.call('mutation', 'profile.update', { displayName: 'y'.repeat(51) });
    expect(invalid.error?.data.code).toBe('BAD_REQUEST');
    await Promise.all([tab.close(), sibling.close()]);
  });
});

describe.each(SESSION_BACKEND_NAMES)('with sessions in %s', (name) => {
  const store = useSessionBackend(name);
  test("a validated session's user carries the app's fields", async () => {
    const db = store.t.db;
    const sessions = store.redisUrl
      ? await createRedisSessionBackend(store.redisUrl, db, { userModel })
      : createLibsqlSessionBackend(db, userModel);
    const created = await createUser(
      db,
      { username: 'erin', fields: { displayName: 'Erin E.' } },
      { hashing: TEST_HASHING, rules: TEST_RULES, model: userModel },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    expect(created.value).toMatchObject({ displayName: 'Erin E.' });
    const { token } = await createSession(sessions, SETTINGS, { userId: created.value.id });
    const { user } = await validateSessionToken(sessions, SETTINGS, token);
    expect(user?.displayName).toBe('Erin E.');
    // The same session read without the app's model has Statehouse's fields only.
    expect((await validateSessionToken(store.sessions, SETTINGS, token)).user).not.toHaveProperty('displayName');
    if (store.redisUrl) await sessions.close();
  });
});

describe('defineUserModel', () => {
  test('refuses what cannot work, at once and by name', () => {
    expect(() => defineUserModel({ table: defineUsersTable({ plan: text('plan').notNull() }) })).toThrow(
      'users.plan must be nullable or have a default',
    );
    expect(() => defineUserModel({ table: defineUsersTable({ plan: text('plan') }), snapshot: ['passwordHash' as never] })).toThrow(
      'snapshot names "passwordHash"',
    );
    expect(() =>
      defineUserModel({ table: defineUsersTable({ plan: text('plan') }), registration: z.object({ isSuperuser: z.boolean() }) as never }),
    ).toThrow('registration names "isSuperuser"');
    expect(() => defineUserModel({ table: defineUsersTable({ leak: text('password_hash') }), snapshot: ['leak'] })).toThrow(
      'users.leak is Statehouse\'s column "password_hash"',
    );
    expect(() => defineUsersTable({ username: text('nick') })).toThrow('"username" is one of Statehouse\'s own columns');
    const model = defineUserModel({ table: defineUsersTable({ plan: text('plan'), credits: integer('credits').default(0) }) });
    expect(model.fieldNames).toEqual(['plan', 'credits']);
  });
});

describe('sign-up with a loose registration schema', () => {
  test("writes only the fields the schema declares, never another of the app's columns it lets through", async () => {
    const model = defineUserModel({ table: users, registration: z.looseObject({}) });
    server = await startTestServer({ rateLimit: { ipBurst: 100 } }, { user: model });
    const ws = await server.open();
    await ws.ok('mutation', 'auth.register', {
      username: 'mallory',
      email: '',
      password: PASSWORD,
      confirmPassword: PASSWORD,
      fields: { displayName: 'Chosen by the client' },
    });
    const [row] = await server.db.db.select().from(users).where(eq(users.username, 'mallory'));
    expect(row!.displayName).toBe('');
    await ws.close();
  });
});
