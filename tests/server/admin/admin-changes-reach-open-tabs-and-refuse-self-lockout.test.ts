import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { loadGrants } from '../../../server/auth/permissions';
import { ensureGroup, findUserById, grantGroupPermission } from '../../../server/auth/users';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
});

async function adminSocket(username: string, options: Parameters<TestServer['userWithSession']>[1]) {
  const session = await server.userWithSession(username, options);
  return { ...session, ws: await server.open({ cookie: session.cookie, path: '/admin' }) };
}

describe('changes reach the affected tabs at once', () => {
  test("deactivating a user signs out their open tabs and ends their sessions; they cannot use the admin's socket", async () => {
    const root = await adminSocket('root', { staff: true, superuser: true });
    const bob = await server.userWithSession('bob');
    const bobTab = await server.open({ cookie: bob.cookie, path: '/notes' });
    await bobTab.subscribeState();
    await root.ws.ok('mutation', 'admin.users.setActive', { id: bob.userId, active: false });
    await bobTab.waitForPushes(2);
    const signedOut = bobTab.pushes.find((p) => p.actions?.some((a: any) => a.type === 'clearAuthThenNavigate'));
    expect(signedOut).toBeDefined();
    expect((await findUserById(server.db.db, bob.userId))?.isActive).toBe(false);
    expect((await bobTab.call('query', 'probe.secret')).error?.data.code).toBe('UNAUTHORIZED');
    await bobTab.close();
    await root.ws.close();
  });

  test("a permission change moves the user's access revision, and the next check sees it", async () => {
    const root = await adminSocket('root', { staff: true, superuser: true });
    const bob = await server.userWithSession('bob');
    const bobTab = await server.open({ cookie: bob.cookie, path: '/notes' });
    await bobTab.subscribeState();
    expect((await bobTab.call('mutation', 'probe.deleteNote')).error?.data.code).toBe('FORBIDDEN');
    await root.ws.ok('mutation', 'admin.users.setPermissions', { id: bob.userId, permissions: ['notes.delete_note'] });
    await bobTab.waitForPushes(2);
    expect(bobTab.pushes.at(-1).delta.access).toEqual({ revision: 1 });
    expect((await bobTab.ok('mutation', 'probe.deleteNote')).data).toBe('deleted by bob');
    await root.ws.ok('mutation', 'admin.users.setPermissions', { id: bob.userId, permissions: [] });
    await bobTab.waitForPushes(3);
    expect(bobTab.pushes.at(-1).delta.access).toEqual({ revision: 2 });
    expect((await bobTab.call('mutation', 'probe.deleteNote')).error?.data.code).toBe('FORBIDDEN');
    await bobTab.close();
    await root.ws.close();
  });

  test("another admin's open page is told (admin slice) when a user changes", async () => {
    const root = await adminSocket('root', { staff: true, superuser: true });
    const other = await adminSocket('other', { staff: true, perms: ['auth.view_user'] });
    const plain = await server.userWithSession('plain');
    const plainTab = await server.open({ cookie: plain.cookie });
    await other.ws.subscribeState();
    await plainTab.subscribeState();
    await root.ws.ok('mutation', 'admin.users.update', { id: plain.userId, firstName: 'Pat', lastName: 'Lane', email: 'pat@example.com' });
    await other.ws.waitForPushes(2);
    expect(other.ws.pushes.at(-1).delta.admin.revision).toBeGreaterThan(0);
    const { data } = await other.ws.ok('query', 'admin.users.list', { search: 'pat@' });
    expect(data.rows.map((r: any) => r.username)).toEqual(['plain']);
    // A non-staff tab gets no admin revision (only its own access revision).
    await server.statehouse.runtime.background.drain();
    expect(plainTab.pushes.slice(1).some((p) => p.delta?.admin)).toBe(false);
    expect(plainTab.pushes.length).toBeGreaterThan(1);
    for (const ws of [root.ws, other.ws, plainTab]) await ws.close();
  });
});

describe('admins cannot lock themselves out', () => {
  test('no one deactivates, deletes or un-staffs themselves', async () => {
    const root = await adminSocket('root', { staff: true, superuser: true });
    for (const [path, input] of [
      ['admin.users.setActive', { id: root.userId, active: false }],
      ['admin.users.delete', { id: root.userId }],
      ['admin.users.setFlags', { id: root.userId, isStaff: false }],
      ['admin.users.setFlags', { id: root.userId, isSuperuser: false }],
    ] as const) {
      const reply = await root.ws.call('mutation', path, input);
      expect(reply.error?.data.code).toBe('FORBIDDEN');
    }
    const row = await findUserById(server.db.db, root.userId);
    expect(row).toMatchObject({ isActive: true, isStaff: true, isSuperuser: true });
    await root.ws.close();
  });

  test('a staff admin cannot drop their own auth.change_user, directly or through a group', async () => {
    const editorsId = await ensureGroup(server.db.db, 'admins');
    await grantGroupPermission(server.db.db, editorsId, 'auth.change_group');
    const admin = await adminSocket('ada', { staff: true, perms: ['auth.change_user', 'auth.view_user'], groups: ['admins'] });
    const dropDirect = await admin.ws.call('mutation', 'admin.users.setPermissions', { id: admin.userId, permissions: ['auth.view_user'] });
    expect(dropDirect.error?.data.code).toBe('FORBIDDEN');
    expect(dropDirect.error?.message).toContain('auth.change_user');
    const leaveGroup = await admin.ws.call('mutation', 'admin.users.setGroups', { id: admin.userId, groupIds: [] });
    expect(leaveGroup.error?.message).toContain('auth.change_group');
    const emptyGroup = await admin.ws.call('mutation', 'admin.groups.setPermissions', { id: editorsId, permissions: [] });
    expect(emptyGroup.error?.message).toContain('auth.change_group');
    const expel = await admin.ws.call('mutation', 'admin.groups.setMembers', { id: editorsId, userIds: [] });
    expect(expel.error?.message).toContain('auth.change_group');
    expect((await loadGrants(server.db.db, admin.userId)).permissions).toEqual(
      new Set(['auth.change_user', 'auth.view_user', 'auth.change_group']),
    );
    // Changes that keep those rights go through.
    await admin.ws.ok('mutation', 'admin.users.setPermissions', { id: admin.userId, permissions: ['auth.change_user'] });
    await admin.ws.close();
  });

  test('only superusers change staff and superuser flags', async () => {
    const staff = await adminSocket('sam', { staff: true, perms: ['auth.change_user'] });
    const bob = await server.userWithSession('bob');
    const reply = await staff.ws.call('mutation', 'admin.users.setFlags', { id: bob.userId, isStaff: true });
    expect(reply.error?.data.code).toBe('FORBIDDEN');
    expect((await findUserById(server.db.db, bob.userId))?.isStaff).toBe(false);
    await staff.ws.close();
  });
});

describe('lists', () => {
  test('search, filters, sort and paging run in SQL', async () => {
    const root = await adminSocket('root', { staff: true, superuser: true });
    for (const name of ['anna', 'ben', 'cara', 'dan'])
      await server.userWithSession(name, { staff: name === 'ben', groups: name === 'cara' ? ['ops'] : [] });
    const opsId = await ensureGroup(server.db.db, 'ops');
    const page = (input: object) => root.ws.ok('query', 'admin.users.list', input).then((r) => r.data);
    expect((await page({ sort: 'username', direction: 'desc', pageSize: 2 })).rows.map((r: any) => r.username)).toEqual(['root', 'dan']);
    const second = await page({ sort: 'username', pageSize: 2, page: 2 });
    expect(second.rows.map((r: any) => r.username)).toEqual(['cara', 'dan']);
    expect(second.total).toBe(5);
    expect((await page({ isStaff: true, isSuperuser: false })).rows.map((r: any) => r.username)).toEqual(['ben']);
    expect((await page({ groupId: opsId })).rows.map((r: any) => r.username)).toEqual(['cara']);
    expect((await page({ search: '%' })).total).toBe(0);
    expect((await page({ search: 'AN' })).rows.map((r: any) => r.username)).toEqual(['anna', 'dan']);
    await root.ws.close();
  });
});

describe('refusals in the admin’s language', () => {
  /** What a superuser's socket is told, under each browser language, for an unknown user and for deactivating themselves. */
  async function refusalsByLanguage(languages: string[]): Promise<Record<string, string[]>> {
    const root = await server.userWithSession('root', { staff: true, superuser: true });
    const answers: Record<string, string[]> = {};
    for (const language of languages) {
      const ws = await server.open({ cookie: root.cookie, path: '/admin', headers: { 'accept-language': language } });
      answers[language] = [
        (await ws.call('query', 'admin.users.get', { id: 999_999 })).error?.message ?? '',
        (await ws.call('mutation', 'admin.users.setActive', { id: root.userId, active: false })).error?.message ?? '',
      ];
      await ws.close();
    }
    return answers;
  }

  test('an admin whose browser asks for Arabic is refused in Arabic; one asking for English, in English', async () => {
    await server.stop();
    server = await startTestServer({ languages: ['en', 'ar'] });
    const answers = await refusalsByLanguage(['ar', 'en']);
    expect(answers.en).toEqual(['No such user.', 'You cannot deactivate your own account.']);
    expect(answers.ar).toEqual(['لا يوجد مستخدم بهذا المعرّف.', 'لا يمكنك تعطيل حسابك.']);
  });

  test('auth.messages overrides them: a key in every language, lang.key in one, which wins', async () => {
    await server.stop();
    server = await startTestServer({
      languages: ['en', 'ar'],
      auth: { messages: { noSuchUser: 'Nobody by that id.', 'AR.noSuchUser': 'لا أحد بهذا المعرّف.', 'ar.unknownKey': 'ignored' } },
    });
    const answers = await refusalsByLanguage(['ar', 'en']);
    expect(answers.en).toEqual(['Nobody by that id.', 'You cannot deactivate your own account.']);
    expect(answers.ar).toEqual(['لا أحد بهذا المعرّف.', 'لا يمكنك تعطيل حسابك.']);
  });
});
