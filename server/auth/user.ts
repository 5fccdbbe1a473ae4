import type { UserRow } from '../../db/schema/auth';
import type { UserFields } from '../state/protocol';
import { DEFAULT_USER_MODEL, ownFieldsOf, type UserModel } from './user-model';

/** Statehouse's own fields of the live user. */
export interface BaseAuthUser {
  /** `null` for the anonymous user. */
  readonly id: number | null;
  readonly username: string;
  readonly email: string | null;
  /** An address the user gave that is not theirs to use yet (see `users.pendingEmail`): show it, never mail it. */
  readonly pendingEmail: string | null;
  /** Whether `email` was proven through an emailed link (see `auth.emailVerification`). */
  readonly emailVerified: boolean;
  readonly firstName: string;
  readonly lastName: string;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  readonly isAuthenticated: boolean;
  readonly dateJoined: number | null;
  readonly lastLogin: number | null;
}

/**
 * The live user: what handlers read for authorization and ORM scoping, with
 * the app's own fields (`defineUserModel`; absent on the anonymous user).
 * Never sent to the browser as such (the `auth` slice is the snapshot).
 */
export type AuthUser = BaseAuthUser & Readonly<Partial<UserFields>>;

/** An authenticated user: `id` is a number, and the app's own fields are there. */
export type LoggedInUser = BaseAuthUser & { readonly id: number; readonly isAuthenticated: true } & Readonly<UserFields>;

/** The user outside any session: every check fails, nothing throws. */
export const ANONYMOUS_USER: AuthUser = Object.freeze({
  id: null,
  username: '',
  email: null,
  pendingEmail: null,
  emailVerified: false,
  firstName: '',
  lastName: '',
  isActive: false,
  isStaff: false,
  isSuperuser: false,
  isAuthenticated: false,
  dateJoined: null,
  lastLogin: null,
});

type OwnUserFields = Pick<
  UserRow,
  | 'id'
  | 'username'
  | 'email'
  | 'pendingEmail'
  | 'emailVerified'
  | 'firstName'
  | 'lastName'
  | 'isActive'
  | 'isStaff'
  | 'isSuperuser'
  | 'dateJoined'
  | 'lastLogin'
>;

/**
 * Builds the live user from a row read through `model`'s table, with the
 * app's own fields (the password hash never leaves the data layer).
 */
export function toAuthUser(row: OwnUserFields, model: UserModel = DEFAULT_USER_MODEL): LoggedInUser {
  return Object.freeze({
    ...ownFieldsOf(model, row as unknown as Record<string, unknown>),
    id: row.id,
    username: row.username,
    email: row.email,
    pendingEmail: row.pendingEmail,
    emailVerified: row.emailVerified,
    firstName: row.firstName,
    lastName: row.lastName,
    isActive: row.isActive,
    isStaff: row.isStaff,
    isSuperuser: row.isSuperuser,
    isAuthenticated: true as const,
    dateJoined: row.dateJoined,
    lastLogin: row.lastLogin,
  }) as LoggedInUser;
}

export function isLoggedIn(user: AuthUser): user is LoggedInUser {
  return user.isAuthenticated && user.id !== null;
}
