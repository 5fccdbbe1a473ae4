import { afterEach, beforeEach, describe, expect, spyOn, test } from 'bun:test';
import { users, type UserRow } from '../../../db/schema';
import { grantsOf, groupNamesOf, isPermissionName, loadGrants, groupHeld, permissionHeld } from '../../../server/auth/permissions';
import { ANONYMOUS_USER, toAuthUser, type AuthUser } from '../../../server/auth/user';
import { addUserToGroup, ensureGroup, grantGroupPermission, grantUserPermission, revokeUserPermission } from '../../../server/auth/users';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

let t: TestDatabase;

beforeEach(async () => {
  t = await createTestDatabase();
});

afterEach(() => t.cleanup());

async function insertUser(username: string, flags: Partial<Pick<UserRow, 'isActive' | 'isStaff' | 'isSuperuser'>> = {}): Promise<AuthUser> {
  const [row] = await t.db
    .insert(users)
    .values({ username, passwordHash: '!', dateJoined: Date.now(), ...flags })
    .returning();
  return toAuthUser(row!);
}

/** The same person as a fresh live object (what a new event's session validation yields). */
async function reload(user: AuthUser): Promise<AuthUser> {
  const row = await t.db.query.users.findFirst({ where: (u, { eq }) => eq(u.id, user.id!) });
  return toAuthUser(row!);
}

describe('permissionHeld (Django semantics)', () => {
  const PERM = 'notes.delete_note';

  test.each([
    // [who, setup, expected]
    ['active superuser, no grants', { isSuperuser: true }, 'none', true],
    ['inactive superuser', { isSuperuser: true, isActive: false }, 'none', false],
    ['inactive user with a direct grant', { isActive: false }, 'direct', false],
    ['inactive user with a group grant', { isActive: false }, 'group', false],
    ['active user with a direct grant', {}, 'direct', true],
    ['active user with a group grant', {}, 'group', true],
    ['active user with no grant', {}, 'none', false],
    ['staff user with no grant', { isStaff: true }, 'none', false],
  ] as const)('%s → %p', async (_who, flags, grant, expected) => {
    const user = await insertUser('u', flags);
    if (grant === 'direct') await grantUserPermission(t.db, user.id!, PERM);
    if (grant === 'group') {
      const groupId = await ensureGroup(t.db, 'editors');
      await grantGroupPermission(t.db, groupId, PERM);
      await addUserToGroup(t.db, user.id!, groupId);
    }
    expect(await permissionHeld(t.db, user, PERM)).toBe(expected);
  });

  test('an active superuser holds even a permission that does not exist', async () => {
    const root = await insertUser('root', { isSuperuser: true });
    expect(await permissionHeld(t.db, root, 'nothing.like_this')).toBe(true);
  });

  test('an unknown permission is held by no ordinary user', async () => {
    const user = await insertUser('u');
    await grantUserPermission(t.db, user.id!, 'notes.view_note');
    expect(await permissionHeld(t.db, user, 'notes.unknown')).toBe(false);
    expect(await permissionHeld(t.db, user, 'view_note')).toBe(false);
  });

  test('the anonymous user holds nothing and nothing is queried', async () => {
    const execute = spyOn(t.client, 'execute');
    expect(await permissionHeld(t.db, ANONYMOUS_USER, 'notes.view_note')).toBe(false);
    expect(await groupHeld(t.db, ANONYMOUS_USER, 'editors')).toBe(false);
    expect(await groupNamesOf(t.db, ANONYMOUS_USER)).toEqual([]);
    expect(execute).toHaveBeenCalledTimes(0);
    execute.mockRestore();
  });

  test('a grant to one user or one group reaches no one else', async () => {
    const alice = await insertUser('alice');
    const bob = await insertUser('bob');
    const editors = await ensureGroup(t.db, 'editors');
    await ensureGroup(t.db, 'others');
    await grantGroupPermission(t.db, editors, 'notes.edit_note');
    await addUserToGroup(t.db, alice.id!, editors);
    await grantUserPermission(t.db, alice.id!, 'notes.delete_note');
    expect(await permissionHeld(t.db, bob, 'notes.edit_note')).toBe(false);
    expect(await permissionHeld(t.db, bob, 'notes.delete_note')).toBe(false);
  });
});

describe('groups', () => {
  test('groupHeld and groupNamesOf list the groups the user belongs to, sorted', async () => {
    const alice = await insertUser('alice');
    for (const name of ['writers', 'editors', 'admins']) await ensureGroup(t.db, name);
    await addUserToGroup(t.db, alice.id!, await ensureGroup(t.db, 'writers'));
    await addUserToGroup(t.db, alice.id!, await ensureGroup(t.db, 'editors'));
    expect(await groupNamesOf(t.db, alice)).toEqual(['editors', 'writers']);
    expect(await groupHeld(t.db, alice, 'editors')).toBe(true);
    expect(await groupHeld(t.db, alice, 'admins')).toBe(false);
  });

  test('an inactive member belongs to no group', async () => {
    const user = await insertUser('gone', { isActive: false });
    await addUserToGroup(t.db, user.id!, await ensureGroup(t.db, 'editors'));
    expect(await groupHeld(t.db, user, 'editors')).toBe(false);
    expect(await groupNamesOf(t.db, user)).toEqual([]);
  });

  test('loadGrants unions direct grants and those of every group', async () => {
    const alice = await insertUser('alice');
    const a = await ensureGroup(t.db, 'a');
    const b = await ensureGroup(t.db, 'b');
    await grantGroupPermission(t.db, a, 'notes.view_note');
    await grantGroupPermission(t.db, b, 'notes.view_note');
    await grantGroupPermission(t.db, b, 'notes.edit_note');
    await grantUserPermission(t.db, alice.id!, 'notes.delete_note');
    await addUserToGroup(t.db, alice.id!, a);
    await addUserToGroup(t.db, alice.id!, b);
    const grants = await loadGrants(t.db, alice.id!);
    expect([...grants.permissions].sort()).toEqual(['notes.delete_note', 'notes.edit_note', 'notes.view_note']);
    expect([...grants.groups].sort()).toEqual(['a', 'b']);
  });
});

describe('grants cache', () => {
  test('grants are read with one query per live user object, however many checks follow', async () => {
    const alice = await insertUser('alice');
    await grantUserPermission(t.db, alice.id!, 'notes.view_note');
    const execute = spyOn(t.client, 'execute');
    try {
      await Promise.all([permissionHeld(t.db, alice, 'notes.view_note'), permissionHeld(t.db, alice, 'notes.delete_note')]);
      await groupHeld(t.db, alice, 'editors');
      await groupNamesOf(t.db, alice);
      await grantsOf(t.db, alice);
      expect(execute).toHaveBeenCalledTimes(1);
    } finally {
      execute.mockRestore();
    }
  });

  test('a held user object keeps its grants; a fresh object sees the change', async () => {
    const alice = await insertUser('alice');
    await grantUserPermission(t.db, alice.id!, 'notes.view_note');
    expect(await permissionHeld(t.db, alice, 'notes.view_note')).toBe(true);
    await revokeUserPermission(t.db, alice.id!, 'notes.view_note');
    expect(await permissionHeld(t.db, alice, 'notes.view_note')).toBe(true);
    expect(await permissionHeld(t.db, await reload(alice), 'notes.view_note')).toBe(false);
  });
});

describe('isPermissionName', () => {
  test.each([
    ['notes.view_note', true],
    ['auth.add_user', true],
    ['notes', false],
    ['.view', false],
    ['notes.', false],
    ['a.b.c', false],
    ['notes.view note', false],
    ['', false],
  ])('%p → %p', (perm, expected) => {
    expect(isPermissionName(perm)).toBe(expected);
  });
});
