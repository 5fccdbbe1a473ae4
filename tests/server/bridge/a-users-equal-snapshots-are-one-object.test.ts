import { afterEach, expect, test } from 'bun:test';
import { DEFAULT_USER_MODEL } from '../../../server/auth/user-model';
import type { AuthUser } from '../../../server/auth/user';
import { AuthSnapshots } from '../../../server/bridge/auth-snapshots';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';

let database: TestDatabase | null = null;
afterEach(async () => {
  await database?.close();
  database = null;
});

/** A user object as each validated session gets its own. */
function userObject(fields: Partial<AuthUser> = {}): AuthUser {
  return {
    id: 7,
    username: 'ada',
    email: 'ada@example.com',
    pendingEmail: null,
    emailVerified: true,
    firstName: 'Ada',
    lastName: 'Lovelace',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    isAuthenticated: true,
    dateJoined: new Date(0),
    lastLogin: null,
    ...fields,
  } as AuthUser;
}

test('the user objects of two sessions of one user give one snapshot while equal, a new one once the user changed', async () => {
  database = await createTestDatabase();
  const snapshots = new AuthSnapshots(database.db, false, DEFAULT_USER_MODEL);
  const first = await snapshots.of(userObject());
  const second = await snapshots.of(userObject());
  expect(second).toBe(first);
  const renamed = await snapshots.of(userObject({ firstName: 'Augusta' }));
  expect(renamed).not.toBe(first);
  expect(renamed.firstName).toBe('Augusta');
  // Another user with the same fields otherwise is another snapshot.
  expect(await snapshots.of(userObject({ id: 8 }))).not.toBe(first);
  // The latest one is what the next equal user object shares.
  expect(await snapshots.of(userObject({ firstName: 'Augusta' }))).toBe(renamed);
});
