import { afterEach, describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import {
  can,
  canRoute,
  createAppRouter,
  guarded,
  identity,
  publicProcedure,
  router,
  type Runtime,
  type StatehouseConfigInput,
} from '../../../server';
import { createUser } from '../../../server/auth/users';
import { createLogger } from '../../../server/log';
import { TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';

const PASSWORD = 'correct horse battery staple';

/** The same permission refused by a guard inside the bridge and by a plain middleware level. */
const hookRouter = createAppRouter({
  billing: router({
    guarded: guarded(can('billing.view')).query(() => 'invoices'),
    plain: publicProcedure.use(can('billing.view')).query(() => 'invoices'),
  }),
});

function billingApi(runtime: Runtime) {
  return new Elysia({ name: 'billing-api' })
    .use(identity(runtime))
    .get('/api/billing', () => ({ ok: true }), { beforeHandle: canRoute('billing.view') });
}

let server: TestServer;
let lines: string[];

async function start(hooks: StatehouseConfigInput['hooks']): Promise<TestServer> {
  lines = [];
  server = await startTestServer(
    { hooks },
    { router: hookRouter, http: billingApi, log: createLogger('error', (line) => lines.push(line)) },
  );
  return server;
}

afterEach(async () => {
  await server?.stop();
});

const DENIED_TOAST = { type: 'toast', kind: 'error', message: expect.any(String) };

describe('hooks.onPermissionDenied', () => {
  test('answers client actions that follow the guard’s own toast in the refused event’s reply, either way a guard runs', async () => {
    const seen: unknown[] = [];
    await start({
      onPermissionDenied: (info) => {
        seen.push(info);
        return [
          { type: 'toast', kind: 'info', message: 'Billing is for account owners.' },
          { type: 'navigate', to: '/upgrade', replace: true },
        ];
      },
    });
    const bob = await server.userWithSession('bob');
    const ws = await server.open({ cookie: bob.cookie });
    for (const path of ['billing.guarded', 'billing.plain']) {
      const reply = await ws.call('query', path);
      expect(reply.error?.data.code).toBe('FORBIDDEN');
      expect(reply.error?.data.statehouse.actions).toEqual([
        DENIED_TOAST,
        { type: 'toast', kind: 'info', message: 'Billing is for account owners.' },
        { type: 'navigate', to: '/upgrade', replace: true },
      ]);
    }
    expect(seen).toEqual([
      { perm: 'billing.view', userId: bob.userId, path: 'billing.guarded' },
      { perm: 'billing.view', userId: bob.userId, path: 'billing.plain' },
    ]);
    await ws.close();
  });

  test('that only observes (answers nothing) leaves the refusal as it was', async () => {
    await start({ onPermissionDenied: () => {} });
    const bob = await server.userWithSession('bob');
    const ws = await server.open({ cookie: bob.cookie });
    expect((await ws.call('query', 'billing.guarded')).error?.data.statehouse.actions).toEqual([DENIED_TOAST]);
    await ws.close();
  });

  test('answering anything but client actions is logged and left out: no cookie action, no other site', async () => {
    let answer: unknown = null;
    await start({ onPermissionDenied: () => answer as never });
    const bob = await server.userWithSession('bob');
    const ws = await server.open({ cookie: bob.cookie });
    for (const bad of [
      [{ type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: [] }],
      [{ type: 'navigate', to: 'https://evil.example/' }],
      'go away',
      [{ type: 'toast', kind: 'error' }],
    ]) {
      answer = bad;
      const reply = await ws.call('query', 'billing.guarded');
      expect(reply.error?.data.code).toBe('FORBIDDEN');
      expect(reply.error?.data.statehouse.actions).toEqual([DENIED_TOAST]);
    }
    expect(lines.filter((l) => l.includes('a hook answered something other than client actions'))).toHaveLength(4);
    expect(lines.every((l) => l.includes('hook=onPermissionDenied'))).toBe(true);
    await ws.close();
  });

  test('over HTTP is told of the refusal, and its answer changes nothing in the 403', async () => {
    let calls = 0;
    await start({
      onPermissionDenied: () => {
        calls++;
        return [{ type: 'navigate', to: '/upgrade' }];
      },
    });
    const bob = await server.userWithSession('bob');
    const res = await fetch(`${server.url}/api/billing`, { headers: { cookie: bob.cookie } });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'forbidden', message: expect.any(String) });
    expect(calls).toBe(1);
  });
});

describe('hooks.onAuthFailed', () => {
  test('answers client actions that reach the failed login’s reply', async () => {
    const seen: unknown[] = [];
    await start({
      onAuthFailed: (info) => {
        seen.push(info);
        return [{ type: 'toast', kind: 'info', message: 'Forgot your password? Reset it from the sign-in page.' }];
      },
    });
    await createUser(server.db.db, { username: 'alice', password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
    const ws = await server.open();
    const reply = await ws.call('mutation', 'auth.login', { loginId: 'alice', password: 'not the password' });
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    expect(reply.error?.data.statehouse.actions).toEqual([
      { type: 'toast', kind: 'info', message: 'Forgot your password? Reset it from the sign-in page.' },
    ]);
    expect(seen).toEqual([{ loginId: 'alice', ip: expect.any(String) }]);
    // A login that succeeds never calls it.
    expect((await ws.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD })).error).toBeUndefined();
    expect(seen).toHaveLength(1);
    await ws.close();
  });
});
