import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { users, type UserRow } from '../../db/schema/auth';
import { preparedForUsers, type UserModel } from './user-model';

/**
 * The user fields a session lookup reads: what `toAuthUser` builds the live
 * user from (never the password hash). Users live in libSQL whichever backend
 * keeps the sessions: the libSQL backend joins these columns to its session
 * row, the Redis backend reads them by id after the session.
 */
export const sessionUserColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  pendingEmail: users.pendingEmail,
  emailVerified: users.emailVerified,
  firstName: users.firstName,
  lastName: users.lastName,
  isActive: users.isActive,
  isStaff: users.isStaff,
  isSuperuser: users.isSuperuser,
  dateJoined: users.dateJoined,
  lastLogin: users.lastLogin,
};

/** A user as a session lookup returns it (with the app's own fields beside these). */
export type SessionUserRow = Pick<UserRow, keyof typeof sessionUserColumns>;

/** The columns a session lookup reads with the app's own user fields (see `defineUserModel`). */
export function sessionUserColumnsOf(model: UserModel): typeof sessionUserColumns {
  return { ...sessionUserColumns, ...model.fields } as typeof sessionUserColumns;
}

const statements = preparedForUsers((db, model) => ({
  byId: db
    .select(sessionUserColumnsOf(model))
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare(),
}));

/** The user of a session stored outside libSQL, by id; `null` when it no longer exists. */
export async function findSessionUser(db: Database, userId: number, model: UserModel): Promise<SessionUserRow | null> {
  const [row] = await statements(db, model).byId.execute({ id: userId });
  return row ?? null;
}
