import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ensureGroup } from '../../../server/auth/users';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
let targetId: number;
let groupId: number;

beforeAll(async () => {
  server = await startTestServer();
  targetId = (await server.userWithSession('target')).userId;
  groupId = await ensureGroup(server.db.db, 'editors');
});
afterAll(async () => {
  await server.stop();
});

/** Every admin procedure, the permission it needs and an input it accepts. */
const PROCEDURES: { path: string; method: 'query' | 'mutation'; perm: string; input: () => unknown }[] = [
  { path: 'admin.users.list', method: 'query', perm: 'auth.view_user', input: () => ({}) },
  { path: 'admin.users.get', method: 'query', perm: 'auth.view_user', input: () => ({ id: targetId }) },
  { path: 'admin.permissions', method: 'query', perm: 'auth.view_user', input: () => undefined },
  {
    path: 'admin.users.update',
    method: 'mutation',
    perm: 'auth.change_user',
    input: () => ({ id: targetId, firstName: 'T', lastName: '', email: '' }),
  },
  { path: 'admin.users.setActive', method: 'mutation', perm: 'auth.change_user', input: () => ({ id: targetId, active: true }) },
  { path: 'admin.users.setFlags', method: 'mutation', perm: 'auth.change_user', input: () => ({ id: targetId }) },
  { path: 'admin.users.setGroups', method: 'mutation', perm: 'auth.change_user', input: () => ({ id: targetId, groupIds: [] }) },
  { path: 'admin.users.setPermissions', method: 'mutation', perm: 'auth.change_user', input: () => ({ id: targetId, permissions: [] }) },
  { path: 'admin.users.signOutEverywhere', method: 'mutation', perm: 'auth.change_user', input: () => ({ id: targetId }) },
  { path: 'admin.users.sendPasswordReset', method: 'mutation', perm: 'auth.change_user', input: () => ({ id: targetId }) },
  { path: 'admin.users.delete', method: 'mutation', perm: 'auth.delete_user', input: () => ({ id: 999_999 }) },
  { path: 'admin.groups.list', method: 'query', perm: 'auth.view_group', input: () => undefined },
  { path: 'admin.groups.get', method: 'query', perm: 'auth.view_group', input: () => ({ id: groupId }) },
  { path: 'admin.groups.create', method: 'mutation', perm: 'auth.add_group', input: () => ({ name: `g${crypto.randomUUID()}` }) },
  { path: 'admin.groups.rename', method: 'mutation', perm: 'auth.change_group', input: () => ({ id: groupId, name: 'editors' }) },
  { path: 'admin.groups.delete', method: 'mutation', perm: 'auth.delete_group', input: () => ({ id: 999_999 }) },
  { path: 'admin.groups.setPermissions', method: 'mutation', perm: 'auth.change_group', input: () => ({ id: groupId, permissions: [] }) },
  { path: 'admin.groups.setMembers', method: 'mutation', perm: 'auth.change_group', input: () => ({ id: groupId, userIds: [] }) },
  { path: 'admin.audit', method: 'query', perm: 'auth.view_auditevent', input: () => ({}) },
];

let n = 0;
async function callAs(options: Parameters<TestServer['userWithSession']>[1], path: string, method: 'query' | 'mutation', input: unknown) {
  const { cookie } = await server.userWithSession(`caller${++n}`, options);
  const ws = await server.open({ cookie, path: '/admin' });
  try {
    return await ws.call(method, path, input);
  } finally {
    await ws.close();
  }
}

/** What a caller who passed the guard may get: data, or a refusal about the record (not about them). */
function passedTheGuard(reply: Awaited<ReturnType<typeof callAs>>): boolean {
  return reply.error === undefined || !['FORBIDDEN', 'UNAUTHORIZED'].includes(reply.error.data.code);
}

describe('every admin procedure', () => {
  test.each(PROCEDURES)('$path: anonymous callers are sent to sign in', async ({ path, method, input }) => {
    const ws = await server.open({ path: '/admin' });
    const reply = await ws.call(method, path, input());
    await ws.close();
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
  });

  test.each(PROCEDURES)('$path: a user holding $perm but not staff is refused', async ({ path, method, perm, input }) => {
    const reply = await callAs({ perms: [perm] }, path, method, input());
    expect(reply.error?.data.code).toBe('FORBIDDEN');
  });

  test.each(PROCEDURES)('$path: a staff user without $perm is refused', async ({ path, method, perm, input }) => {
    const others = PROCEDURES.map((p) => p.perm).filter((p) => p !== perm);
    const reply = await callAs({ staff: true, perms: [...new Set(others)] }, path, method, input());
    expect(reply.error?.data.code).toBe('FORBIDDEN');
  });

  test.each(PROCEDURES)('$path: a staff user holding $perm passes', async ({ path, method, perm, input }) => {
    const reply = await callAs({ staff: true, perms: [perm] }, path, method, input());
    // Flags are for superusers only, whatever the permission says.
    if (path === 'admin.users.setFlags') expect(reply.error?.data.code).toBe('FORBIDDEN');
    else expect(passedTheGuard(reply)).toBe(true);
  });

  test.each(PROCEDURES)('$path: a staff superuser passes without any grant', async ({ path, method, input }) => {
    const reply = await callAs({ staff: true, superuser: true }, path, method, input());
    expect(passedTheGuard(reply)).toBe(true);
  });

  test.each(PROCEDURES)('$path: an inactive staff superuser is refused', async ({ path, method, input }) => {
    const reply = await callAs({ staff: true, superuser: true, active: false }, path, method, input());
    expect(reply.error).toBeDefined();
    expect(passedTheGuard(reply)).toBe(false);
  });
});

describe('inputs', () => {
  test('bad input is a typed BAD_REQUEST, and the server answers the next call', async () => {
    const { cookie } = await server.userWithSession('root-inputs', { staff: true, superuser: true });
    const ws = await server.open({ cookie });
    const bad = await ws.call('query', 'admin.users.list', { pageSize: 10_000, sort: 'password_hash' });
    expect(bad.error?.data.code).toBe('BAD_REQUEST');
    const perm = await ws.call('mutation', 'admin.users.setPermissions', { id: targetId, permissions: ["x'; DROP TABLE users;--"] });
    expect(perm.error?.data.code).toBe('BAD_REQUEST');
    const ok = await ws.ok('query', 'admin.users.list', {});
    expect(ok.data.total).toBeGreaterThan(0);
    await ws.close();
  });
});
