import { afterEach, describe, expect, test } from 'bun:test';
import { listAuditEvents } from '../../../server/auth/audit';
import { findUserById } from '../../../server/auth/users';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
let deleted: number[];
afterEach(async () => {
  await server.stop();
});

async function start(): Promise<TestServer> {
  deleted = [];
  server = await startTestServer({ hooks: { onDeleteUser: ({ userId }) => void deleted.push(userId) } });
  return server;
}

async function adminSocket(username: string, options: Parameters<TestServer['userWithSession']>[1]) {
  const session = await server.userWithSession(username, options);
  return { ...session, ws: await server.open({ cookie: session.cookie, path: '/admin' }) };
}

describe('admin.users.delete', () => {
  test("runs the app's onDeleteUser hook, signs the user's open tabs out at once, and is audited with actor and target", async () => {
    await start();
    const root = await adminSocket('root', { staff: true, superuser: true });
    const bob = await server.userWithSession('bob');
    const bobTab = await server.open({ cookie: bob.cookie, path: '/notes' });
    await bobTab.subscribeState();
    expect((await root.ws.ok('query', 'admin.users.get', { id: bob.userId })).data.mayDelete).toBe(true);
    await root.ws.ok('mutation', 'admin.users.delete', { id: bob.userId });
    expect(deleted).toEqual([bob.userId]);
    await bobTab.waitForPushes(2);
    expect(bobTab.pushes.at(-1).actions.some((a: any) => a.type === 'clearAuthThenNavigate')).toBe(true);
    expect(await findUserById(server.db.db, bob.userId)).toBeNull();
    await server.statehouse.runtime.background.drain();
    const { rows } = await listAuditEvents(server.db.db, { types: ['admin.user_deleted'], offset: 0, limit: 10 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorName: 'root', actorId: root.userId, targetName: 'bob', targetUserId: bob.userId });
    await bobTab.close();
    await root.ws.close();
  });

  test('needs auth.delete_user: a staff user with every other right is refused, and the page is told not to offer it', async () => {
    await start();
    const staff = await adminSocket('sam', { staff: true, perms: ['auth.view_user', 'auth.change_user'] });
    const bob = await server.userWithSession('bob');
    expect((await staff.ws.ok('query', 'admin.users.get', { id: bob.userId })).data.mayDelete).toBe(false);
    expect((await staff.ws.call('mutation', 'admin.users.delete', { id: bob.userId })).error?.data.code).toBe('FORBIDDEN');
    expect(await findUserById(server.db.db, bob.userId)).not.toBeNull();
    expect(deleted).toEqual([]);
    await staff.ws.close();
  });

  test('an admin deletes their own account only while another admin right remains', async () => {
    await start();
    const root = await adminSocket('root', { staff: true, superuser: true });
    const alone = await root.ws.call('mutation', 'admin.users.delete', { id: root.userId });
    expect(alone.error?.data.code).toBe('FORBIDDEN');
    expect(alone.error?.message).toContain('last admin');
    // A staff user who may change users holds an admin right too.
    await server.userWithSession('ada', { staff: true, perms: ['auth.change_user'] });
    await root.ws.subscribeState();
    await root.ws.ok('mutation', 'admin.users.delete', { id: root.userId });
    expect(await findUserById(server.db.db, root.userId)).toBeNull();
    // The deleting tab itself is signed out.
    await root.ws.waitForPushes(2);
    expect(root.ws.pushes.at(-1).actions.some((a: any) => a.type === 'clearAuthThenNavigate')).toBe(true);
    await root.ws.close();
  });
});
