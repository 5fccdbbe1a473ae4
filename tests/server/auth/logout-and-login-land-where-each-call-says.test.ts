import { afterEach, describe, expect, test } from 'bun:test';
import { createAppRouter, publicProcedure, router, type StatehouseConfigInput } from '../../../server';
import { createUser } from '../../../server/auth/users';
import { TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { probeRouter, startTestServer, type TestServer } from '../../helpers/server';

const PASSWORD = 'correct horse battery staple';

/** App code that names a landing page itself, a good one or one elsewhere. */
const landingRouter = createAppRouter({
  probe: probeRouter,
  account: router({
    leave: publicProcedure.mutation(async ({ ctx }) => {
      await ctx.auth.logout({ to: '/farewell?from=account' });
      return null;
    }),
    leaveElsewhere: publicProcedure.mutation(async ({ ctx }) => {
      await ctx.auth.logout({ to: '//evil.example/' });
      return null;
    }),
    enterElsewhere: publicProcedure.mutation(async ({ ctx }) => {
      await ctx.auth.login('alice', PASSWORD, { to: '//evil.example/' });
      return null;
    }),
  }),
});

let server: TestServer;

async function start(config: StatehouseConfigInput = {}): Promise<TestServer> {
  server = await startTestServer(config, { router: landingRouter });
  return server;
}

afterEach(async () => {
  await server?.stop();
});

const landing = (actions: { type: string; to?: string }[]) =>
  actions.find((a) => a.type === 'clearAuthThenNavigate' || a.type === 'syncCookieThenNavigate')?.to;

describe('logout({ to })', () => {
  test('lands this tab on `to`; the session’s other tabs land on the configured page', async () => {
    await start({ auth: { logoutRedirectUrl: '/signed-out' } });
    const alice = await server.userWithSession('alice');
    const tab = await server.open({ cookie: alice.cookie });
    const other = await server.open({ cookie: alice.cookie });
    await other.subscribeState();
    const reply = await tab.ok('mutation', 'auth.logout', { to: '/goodbye' });
    expect(landing(reply.actions)).toBe('/goodbye');
    await other.waitForPushes(2);
    expect(landing(other.pushes[1].actions)).toBe('/signed-out');
    await tab.close();
    await other.close();
  });

  test('without `to` lands on auth.logoutRedirectUrl, else the login page', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const tab = await server.open({ cookie: alice.cookie });
    expect(landing((await tab.ok('mutation', 'auth.logout')).actions)).toBe('/login');
    await tab.close();
  });

  test('refuses a `to` off this site with a field error, and leaves the session signed in', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const tab = await server.open({ cookie: alice.cookie });
    for (const to of ['https://evil.example/', '//evil.example', 'javascript:alert(1)', 'goodbye']) {
      const reply = await tab.call('mutation', 'auth.logout', { to });
      expect(reply.error?.data.code).toBe('BAD_REQUEST');
      expect(reply.error?.data.statehouse.fieldErrors[0].field).toBe('to');
    }
    expect((await tab.ok('query', 'probe.whoami')).data.username).toBe('alice');
    await tab.close();
  });

  test('from app code: a path on this site is used as given, one elsewhere falls back to the configured page', async () => {
    await start();
    const alice = await server.userWithSession('alice');
    const first = await server.open({ cookie: alice.cookie });
    expect(landing((await first.ok('mutation', 'account.leave')).actions)).toBe('/farewell?from=account');
    await first.close();
    const bob = await server.userWithSession('bob');
    const second = await server.open({ cookie: bob.cookie });
    expect(landing((await second.ok('mutation', 'account.leaveElsewhere')).actions)).toBe('/login');
    await second.close();
  });
});

describe('login({ to })', () => {
  test('lands on `to` before the page’s ?next=, which comes before auth.loginRedirectUrl', async () => {
    await start({ auth: { loginRedirectUrl: '/home' } });
    await createUser(server.db.db, { username: 'alice', password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
    const login = async (query: string, to?: string) => {
      const ws = await server.open({ path: '/login', query });
      const reply = await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD, ...(to ? { to } : {}) });
      await ws.close();
      return landing(reply.actions);
    };
    expect(await login('?next=%2Fnotes', '/settings')).toBe('/settings');
    expect(await login('?next=%2Fnotes')).toBe('/notes');
    expect(await login('')).toBe('/home');
  });

  test('refuses a `to` off this site before it checks the password', async () => {
    await start();
    const ws = await server.open();
    const reply = await ws.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD, to: 'https://evil.example/' });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    expect(reply.error?.data.statehouse.fieldErrors[0].field).toBe('to');
    await ws.close();
  });

  test('from app code: a `to` elsewhere falls back to auth.loginRedirectUrl', async () => {
    await start({ auth: { loginRedirectUrl: '/home' } });
    await createUser(server.db.db, { username: 'alice', password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
    const ws = await server.open();
    expect(landing((await ws.ok('mutation', 'account.enterElsewhere')).actions)).toBe('/home');
    await ws.close();
  });
});
