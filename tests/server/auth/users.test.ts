import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { permissions } from '../../../db/schema';
import { UNUSABLE_PASSWORD, verifyPassword } from '../../../server/auth/password';
import { loadGrants } from '../../../server/auth/permissions';
import {
  addUserToGroup,
  createUser,
  ensureGroup,
  ensurePermission,
  findGroup,
  findUserByLogin,
  grantGroupPermission,
  grantUserPermission,
  groupMemberIds,
  listUsers,
  removeUserFromGroup,
  revokeUserPermission,
  setUserPassword,
  type NewUser,
} from '../../../server/auth/users';
import { createTestDatabase, TEST_HASHING, TEST_RULES, type TestDatabase } from '../../helpers/db';

const OPTIONS = { hashing: TEST_HASHING, rules: TEST_RULES };

let t: TestDatabase;

beforeEach(async () => {
  t = await createTestDatabase();
});

afterEach(() => t.cleanup());

/** Creates a user without a password (no hashing), failing the test on errors. */
async function make(input: NewUser): Promise<number> {
  const result = await createUser(t.db, input, OPTIONS);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value.id;
}

const errorCodes = (result: Awaited<ReturnType<typeof createUser>>): string[] => (result.ok ? [] : result.errors.map((e) => e.code));

describe('createUser', () => {
  test('stores an argon2id hash of the password, never the password', async () => {
    const result = await createUser(t.db, { username: 'alice', password: 'violet tangerine orbit' }, OPTIONS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.passwordHash).toStartWith('$argon2id$');
    expect(result.value.passwordHash).not.toContain('violet');
    expect(await verifyPassword('violet tangerine orbit', result.value.passwordHash)).toBe(true);
  });

  test('without a password the account gets an unusable one', async () => {
    const result = await createUser(t.db, { username: 'nopass' }, OPTIONS);
    expect(result.ok && result.value.passwordHash).toBe(UNUSABLE_PASSWORD);
  });

  test('rejects a duplicate username, case-insensitively', async () => {
    await make({ username: 'alice' });
    expect(errorCodes(await createUser(t.db, { username: 'ALICE' }, OPTIONS))).toEqual(['username_taken']);
    expect(errorCodes(await createUser(t.db, { username: ' Alice ' }, OPTIONS))).toEqual(['username_taken']);
  });

  test('rejects a duplicate email, case-insensitively', async () => {
    await make({ username: 'alice', email: 'alice@example.com' });
    const result = await createUser(t.db, { username: 'alicia', email: 'Alice@Example.COM' }, OPTIONS);
    expect(errorCodes(result)).toEqual(['email_taken']);
  });

  test('allows any number of users without an email', async () => {
    await make({ username: 'a' });
    await make({ username: 'b', email: '' });
    await make({ username: 'c', email: null });
    expect(await listUsers(t.db)).toHaveLength(3);
  });

  test.each([
    ['empty', ''],
    ['with a space', 'al ice'],
    ['with a slash', 'al/ice'],
    ['too long', 'a'.repeat(151)],
  ])('rejects an invalid username (%s)', async (_name, username) => {
    expect(errorCodes(await createUser(t.db, { username }, OPTIONS))).toEqual(['invalid_username']);
  });

  test('rejects an invalid email', async () => {
    expect(errorCodes(await createUser(t.db, { username: 'alice', email: 'not-an-email' }, OPTIONS))).toEqual(['invalid_email']);
  });

  test('rejects a weak password with every validator code, and stores nothing', async () => {
    const result = await createUser(t.db, { username: 'alice', password: '1234567' }, OPTIONS);
    expect(errorCodes(result)).toEqual(['password_too_short', 'password_entirely_numeric', 'password_too_common']);
    expect(await listUsers(t.db)).toEqual([]);
  });

  test('rejects a password too similar to the username', async () => {
    const result = await createUser(t.db, { username: 'margaretha', password: 'margaretha1' }, OPTIONS);
    expect(errorCodes(result)).toEqual(['password_too_similar']);
  });

  test('a superuser is staff unless told otherwise', async () => {
    const result = await createUser(t.db, { username: 'root', isSuperuser: true }, OPTIONS);
    expect(result.ok && [result.value.isSuperuser, result.value.isStaff]).toEqual([true, true]);
  });
});

describe('setUserPassword', () => {
  test('rejects a weak password and leaves the hash alone', async () => {
    const created = await createUser(t.db, { username: 'alice' }, OPTIONS);
    if (!created.ok) throw new Error('setup');
    const result = await setUserPassword(t.db, created.value, 'alice123', OPTIONS);
    expect(result.ok).toBe(false);
    const [row] = await listUsers(t.db);
    expect(row?.passwordHash).toBe(UNUSABLE_PASSWORD);
  });
});

describe('findUserByLogin', () => {
  test('looks in the configured fields only', async () => {
    await make({ username: 'alice', email: 'alice@example.com' });
    expect((await findUserByLogin(t.db, 'ALICE@example.com', ['username', 'email']))?.username).toBe('alice');
    expect(await findUserByLogin(t.db, 'alice@example.com', ['username'])).toBeNull();
    expect(await findUserByLogin(t.db, 'alice', ['email'])).toBeNull();
  });
});

describe('grants', () => {
  test('grantUserPermission creates the permission once and is idempotent', async () => {
    const alice = await make({ username: 'alice' });
    await grantUserPermission(t.db, alice, 'notes.delete_note');
    await grantUserPermission(t.db, alice, 'notes.delete_note');
    expect(await t.db.select().from(permissions)).toHaveLength(1);
    expect([...(await loadGrants(t.db, alice)).permissions]).toEqual(['notes.delete_note']);
  });

  test('ensurePermission refuses a name that is not app_label.codename', async () => {
    await expect(ensurePermission(t.db, 'delete_note')).rejects.toThrow('app_label.codename');
  });

  test('revokeUserPermission reports whether a direct grant was removed', async () => {
    const alice = await make({ username: 'alice' });
    await grantUserPermission(t.db, alice, 'notes.delete_note');
    expect(await revokeUserPermission(t.db, alice, 'notes.delete_note')).toBe(true);
    expect(await revokeUserPermission(t.db, alice, 'notes.delete_note')).toBe(false);
    expect(await revokeUserPermission(t.db, alice, 'not a perm')).toBe(false);
    expect((await loadGrants(t.db, alice)).permissions.size).toBe(0);
  });

  test('revoking a direct grant leaves the same permission held through a group', async () => {
    const alice = await make({ username: 'alice' });
    const editors = await ensureGroup(t.db, 'editors');
    await grantGroupPermission(t.db, editors, 'notes.delete_note');
    await addUserToGroup(t.db, alice, editors);
    await grantUserPermission(t.db, alice, 'notes.delete_note');
    await revokeUserPermission(t.db, alice, 'notes.delete_note');
    expect((await loadGrants(t.db, alice)).permissions.has('notes.delete_note')).toBe(true);
  });
});

describe('groups', () => {
  test('ensureGroup is idempotent and findGroup finds it', async () => {
    const id = await ensureGroup(t.db, 'editors');
    expect(await ensureGroup(t.db, ' editors ')).toBe(id);
    expect(await findGroup(t.db, 'editors')).toBe(id);
    expect(await findGroup(t.db, 'nobody')).toBeNull();
  });

  test('ensureGroup refuses an empty name', async () => {
    await expect(ensureGroup(t.db, '  ')).rejects.toThrow();
  });

  test('membership can be added twice, listed and removed', async () => {
    const alice = await make({ username: 'alice' });
    const bob = await make({ username: 'bob' });
    const editors = await ensureGroup(t.db, 'editors');
    await addUserToGroup(t.db, alice, editors);
    await addUserToGroup(t.db, alice, editors);
    await addUserToGroup(t.db, bob, editors);
    expect((await groupMemberIds(t.db, editors)).sort()).toEqual([alice, bob].sort());
    await removeUserFromGroup(t.db, alice, editors);
    expect(await groupMemberIds(t.db, editors)).toEqual([bob]);
  });

  test('a group grant reaches every member', async () => {
    const alice = await make({ username: 'alice' });
    const bob = await make({ username: 'bob' });
    const editors = await ensureGroup(t.db, 'editors');
    await addUserToGroup(t.db, alice, editors);
    await addUserToGroup(t.db, bob, editors);
    await grantGroupPermission(t.db, editors, 'notes.edit_note');
    for (const id of [alice, bob]) expect((await loadGrants(t.db, id)).permissions.has('notes.edit_note')).toBe(true);
  });
});

describe('listUsers', () => {
  test('lists users by username', async () => {
    for (const username of ['carol', 'alice', 'bob']) await make({ username });
    expect((await listUsers(t.db)).map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
  });
});
