import type { UserRow } from '../../db/schema';

/**
 * The live user: what handlers read for authorization and ORM scoping.
 * Never sent to the browser as such (the `auth` slice is the snapshot).
 */
export interface AuthUser {
  /** `null` for the anonymous user. */
  readonly id: number | null;
  readonly username: string;
  readonly email: string | null;
  /** An address the user gave that is not theirs to use yet (see `users.pendingEmail`): show it, never mail it. */
  readonly pendingEmail: string | null;
  readonly firstName: string;
  readonly lastName: string;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  readonly isAuthenticated: boolean;
  readonly dateJoined: number | null;
  readonly lastLogin: number | null;
}

/** An authenticated user: `id` is a number. */
export type LoggedInUser = AuthUser & { readonly id: number; readonly isAuthenticated: true };

/** The user outside any session: every check fails, nothing throws. */
export const ANONYMOUS_USER: AuthUser = Object.freeze({
  id: null,
  username: '',
  email: null,
  pendingEmail: null,
  firstName: '',
  lastName: '',
  isActive: false,
  isStaff: false,
  isSuperuser: false,
  isAuthenticated: false,
  dateJoined: null,
  lastLogin: null,
});

type UserFields = Pick<
  UserRow,
  | 'id'
  | 'username'
  | 'email'
  | 'pendingEmail'
  | 'firstName'
  | 'lastName'
  | 'isActive'
  | 'isStaff'
  | 'isSuperuser'
  | 'dateJoined'
  | 'lastLogin'
>;

/** Builds the live user from a row (the password hash never leaves the data layer). */
export function toAuthUser(row: UserFields): LoggedInUser {
  return Object.freeze({
    id: row.id,
    username: row.username,
    email: row.email,
    pendingEmail: row.pendingEmail,
    firstName: row.firstName,
    lastName: row.lastName,
    isActive: row.isActive,
    isStaff: row.isStaff,
    isSuperuser: row.isSuperuser,
    isAuthenticated: true as const,
    dateJoined: row.dateJoined,
    lastLogin: row.lastLogin,
  });
}

export function isLoggedIn(user: AuthUser): user is LoggedInUser {
  return user.isAuthenticated && user.id !== null;
}
