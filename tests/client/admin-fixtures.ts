import { ANONYMOUS_SNAPSHOT } from '../../server/state/protocol';
import type { FakeCall, FakeReply } from './fake-trpc-server';

/** A superuser's `auth` snapshot: the console opens for them. */
export const ROOT = { ...ANONYMOUS_SNAPSHOT, userId: 1, username: 'root', isAuthenticated: true, isStaff: true, isSuperuser: true };

/** The one user the fake console lists and shows (`/admin/users/5`). */
export const BOB = {
  id: 5,
  username: 'bob',
  email: 'bob@example.com',
  firstName: '',
  lastName: '',
  isActive: true,
  isStaff: false,
  isSuperuser: false,
  dateJoined: Date.UTC(2026, 0, 31, 9, 5),
  lastLogin: null,
};

/**
 * The fake server's answers to the console's reads: Bob in the user list and
 * on his page, no groups or permissions, `null` for anything else.
 *
 * @example
 * const server = startFakeTrpcServer(answerAdminReads);
 */
export function answerAdminReads(call: FakeCall): FakeReply {
  const data = (value: unknown): FakeReply => ({ data: { data: value, delta: {}, actions: [] } });
  switch (call.path) {
    case 'admin.users.get':
      return data({ user: BOB, groups: [], permissions: [], sessions: [], mayDelete: true });
    case 'admin.users.list':
      return data({ rows: [BOB], total: 1, page: 1, pageSize: 25 });
    case 'admin.groups.list':
    case 'admin.permissions':
      return data([]);
    default:
      return data(null);
  }
}
