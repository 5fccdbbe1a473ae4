import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { preparedFor } from '../../db/prepared';
import { groupPermissions, groups, permissions, userGroups, userPermissions, users, type UserRow } from '../../db/schema/auth';
import { deletePasswordResetTokens } from './password-reset';
import { hashPassword, UNUSABLE_PASSWORD, type PasswordHashing } from './password';
import { validatePassword, type PasswordProblem, type PasswordRules } from './password-validation';
import { isPermissionName } from './permissions';
import { DEFAULT_USER_MODEL, preparedForUsers, type UserModel } from './user-model';
import type { FieldError } from '../errors';

export type { FieldError };

/** Expected failures of user management come back as values, not throws. */
export type UserResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const USERNAME_PATTERN = /^[\w.@+-]+$/;
export const MAX_USERNAME_LENGTH = 150;
export const MAX_EMAIL_LENGTH = 254;

export interface NewUser {
  username: string;
  email?: string | null;
  password?: string | null;
  firstName?: string;
  lastName?: string;
  isStaff?: boolean;
  isSuperuser?: boolean;
  isActive?: boolean;
  /** The address is known to be the user's (an administrator gave it): no link needed. Ignored for a pending address. */
  emailVerified?: boolean;
  /** Values of the app's own user fields (`defineUserModel`), already validated; other keys are ignored. */
  fields?: Readonly<Record<string, unknown>>;
}

/** The lookups every login runs, built once per database and user model: rows carry the app's own fields. */
const lookups = preparedForUsers((db, model) => {
  // The app's table, typed as Statehouse's view of it: rows carry more fields than the type names.
  const table = model.table as typeof users;
  return {
    byUsername: db
      .select()
      .from(table)
      .where(sql`lower(${users.username}) = lower(${sql.placeholder('username')})`)
      .limit(1)
      .prepare(),
    byEmail: db
      .select()
      .from(table)
      .where(sql`lower(${users.email}) = lower(${sql.placeholder('email')})`)
      .limit(1)
      .prepare(),
    byId: db
      .select()
      .from(table)
      .where(eq(users.id, sql.placeholder('id')))
      .limit(1)
      .prepare(),
  };
});

const statements = preparedFor((db: Database) => ({
  recordLogin: db
    .update(users)
    .set({ lastLogin: sql`${sql.placeholder('now')}` })
    .where(eq(users.id, sql.placeholder('id')))
    .prepare(),
}));

/** Deletes a user; their sessions' rows, tokens, grants and group memberships go by cascade. */
export async function deleteUserRow(db: Database, userId: number): Promise<void> {
  await db.delete(users).where(eq(users.id, userId));
}

/** Finds a user by username, case-insensitively. */
export async function findUserByUsername(db: Database, username: string, model: UserModel = DEFAULT_USER_MODEL): Promise<UserRow | null> {
  const [row] = await lookups(db, model).byUsername.execute({ username });
  return row ?? null;
}

/** Finds a user by email, case-insensitively. */
export async function findUserByEmail(db: Database, email: string, model: UserModel = DEFAULT_USER_MODEL): Promise<UserRow | null> {
  const [row] = await lookups(db, model).byEmail.execute({ email });
  return row ?? null;
}

/** Finds a user by any of the configured login fields. */
export async function findUserByLogin(
  db: Database,
  loginId: string,
  fields: readonly ('username' | 'email')[],
  options: { verifiedEmailOnly?: boolean; model?: UserModel } = {},
): Promise<UserRow | null> {
  const model = options.model ?? DEFAULT_USER_MODEL;
  for (const field of fields) {
    const row = field === 'email' ? await findUserByEmail(db, loginId, model) : await findUserByUsername(db, loginId, model);
    // An unverified address is no login id (`auth.emailVerification`): as if nobody had it.
    if (row && field === 'email' && options.verifiedEmailOnly && !row.emailVerified) continue;
    if (row) return row;
  }
  return null;
}

/** A user by id, with `model`'s fields (the app's, when given its model). */
export async function findUserById(db: Database, id: number, model: UserModel = DEFAULT_USER_MODEL): Promise<UserRow | null> {
  const [row] = await lookups(db, model).byId.execute({ id });
  return row ?? null;
}

function problemsToErrors(problems: PasswordProblem[]): FieldError[] {
  return problems.map((p) => ({ field: 'password', code: p.code, message: p.message }));
}

/** Checks username and email shape (not uniqueness). */
export function validateIdentity(username: string, email: string | null | undefined): FieldError[] {
  const errors: FieldError[] = [];
  if (!username || username.length > MAX_USERNAME_LENGTH || !USERNAME_PATTERN.test(username)) {
    errors.push({
      field: 'username',
      code: 'invalid_username',
      message: `Enter a valid username: up to ${MAX_USERNAME_LENGTH} letters, digits and @/./+/-/_ only.`,
    });
  }
  if (email && (email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))) {
    errors.push({ field: 'email', code: 'invalid_email', message: 'Enter a valid email address.' });
  }
  return errors;
}

/** A created user; `emailTakenBy` is the owner of an address that was left off (see `ifEmailTaken`). */
export type CreateUserResult = { ok: true; value: UserRow; emailTakenBy: UserRow | null } | { ok: false; errors: FieldError[] };

const EMAIL_TAKEN: FieldError = { field: 'email', code: 'email_taken', message: 'A user with that email already exists.' };
const USERNAME_TAKEN: FieldError = { field: 'username', code: 'username_taken', message: 'A user with that username already exists.' };

/**
 * Creates a user after validating username, email and password. A missing
 * password gives an unusable one (the account cannot sign in until set).
 *
 * An address another account holds is an `email_taken` error by default
 * (the CLI, an admin). With `ifEmailTaken: 'leaveEmpty'` (public sign-up,
 * whose answer must not tell whether an address is registered) the user is
 * created with the same work, the address kept as `pendingEmail` (shown,
 * never used: not a login id, not a reset target), and `emailTakenBy` names
 * the address's owner.
 */
export async function createUser(
  db: Database,
  input: NewUser,
  options: {
    hashing: PasswordHashing;
    rules: PasswordRules;
    skipPasswordValidation?: boolean;
    ifEmailTaken?: 'refuse' | 'leaveEmpty';
    /** The app's user model: `input.fields` are written through its table, and the row comes back with them. */
    model?: UserModel;
  },
): Promise<CreateUserResult> {
  const username = input.username.trim();
  const email = input.email?.trim() || null;
  const leaveEmpty = options.ifEmailTaken === 'leaveEmpty';
  const errors = validateIdentity(username, email);
  if (input.password != null && !options.skipPasswordValidation) {
    errors.push(
      ...problemsToErrors(
        validatePassword(input.password, options.rules, {
          username,
          email,
          firstName: input.firstName,
          lastName: input.lastName,
        }),
      ),
    );
  }
  let emailTakenBy: UserRow | null = null;
  if (errors.length === 0) {
    if (await findUserByUsername(db, username)) errors.push(USERNAME_TAKEN);
    if (email) {
      const owner = await findUserByEmail(db, email);
      if (owner && leaveEmpty) emailTakenBy = owner;
      else if (owner) errors.push(EMAIL_TAKEN);
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  const passwordHash = input.password != null ? await hashPassword(input.password, options.hashing) : UNUSABLE_PASSWORD;
  /** Inserts the user with `email`, or with the typed address kept as pending (another account holds it). */
  const model = options.model ?? DEFAULT_USER_MODEL;
  const own = input.fields ? ownFieldsGiven(model.fieldNames, input.fields) : {};
  const insert = async (address: string | null, pending: string | null) => {
    const [row] = await db
      .insert(model.table as typeof users)
      .values({
        ...own,
        username,
        email: address,
        pendingEmail: pending,
        emailVerified: address !== null && (input.emailVerified ?? false),
        firstName: input.firstName ?? '',
        lastName: input.lastName ?? '',
        passwordHash,
        isActive: input.isActive ?? true,
        isStaff: input.isStaff ?? input.isSuperuser ?? false,
        isSuperuser: input.isSuperuser ?? false,
        dateJoined: Date.now(),
      })
      .returning();
    return row!;
  };
  try {
    return { ok: true, value: emailTakenBy ? await insert(null, email) : await insert(email, null), emailTakenBy };
  } catch (error) {
    // A concurrent insert won the unique index between our check and our write.
    const message = String(error);
    if (!message.includes('UNIQUE')) throw error;
    if (!message.includes('email')) return { ok: false, errors: [USERNAME_TAKEN] };
    if (!leaveEmpty) return { ok: false, errors: [EMAIL_TAKEN] };
  }
  // The address was registered meanwhile: the same answer as above, the address kept as pending.
  try {
    const value = await insert(null, email);
    return { ok: true, value, emailTakenBy: await findUserByEmail(db, email!) };
  } catch (error) {
    if (String(error).includes('UNIQUE')) return { ok: false, errors: [USERNAME_TAKEN] };
    throw error;
  }
}

/** The given values of the app's own fields, nothing else (never a column of Statehouse's). */
function ownFieldsGiven(names: readonly string[], given: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) if (given[name] !== undefined) out[name] = given[name];
  return out;
}

/** Sets a user's password after validation; the user's pending reset links end with it. */
export async function setUserPassword(
  db: Database,
  user: UserRow,
  password: string,
  options: { hashing: PasswordHashing; rules: PasswordRules },
): Promise<UserResult<true>> {
  const problems = validatePassword(password, options.rules, {
    username: user.username,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
  });
  if (problems.length > 0) return { ok: false, errors: problemsToErrors(problems) };
  const passwordHash = await hashPassword(password, options.hashing);
  await db.batch([db.update(users).set({ passwordHash }).where(eq(users.id, user.id)), deletePasswordResetTokens(db, user.id)]);
  return { ok: true, value: true };
}

export async function recordLogin(db: Database, userId: number, now: number = Date.now()): Promise<void> {
  await statements(db).recordLogin.execute({ id: userId, now });
}

/** {@link recordLogin}'s update, for a sign-in's own transaction. */
export function recordLoginUpdate(db: Database, userId: number, now: number) {
  return db.update(users).set({ lastLogin: now }).where(eq(users.id, userId));
}

/** Finds or creates a permission row from `app_label.codename`. */
export async function ensurePermission(db: Database, perm: string, name?: string): Promise<number> {
  if (!isPermissionName(perm)) throw new Error(`Permission names look like "app_label.codename", got "${perm}"`);
  const [appLabel, codename] = perm.split('.') as [string, string];
  await db
    .insert(permissions)
    .values({ appLabel, codename, name: name ?? `Can ${codename.replace(/_/g, ' ')}` })
    .onConflictDoNothing();
  const [row] = await db
    .select({ id: permissions.id })
    .from(permissions)
    .where(and(eq(permissions.appLabel, appLabel), eq(permissions.codename, codename)));
  return row!.id;
}

/** Finds or creates a group by name. */
export async function ensureGroup(db: Database, name: string): Promise<number> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 150) throw new Error('Group names are 1–150 characters');
  await db.insert(groups).values({ name: trimmed }).onConflictDoNothing();
  const [row] = await db.select({ id: groups.id }).from(groups).where(eq(groups.name, trimmed));
  return row!.id;
}

export async function findGroup(db: Database, name: string): Promise<number | null> {
  const [row] = await db.select({ id: groups.id }).from(groups).where(eq(groups.name, name.trim()));
  return row?.id ?? null;
}

export async function grantUserPermission(db: Database, userId: number, perm: string): Promise<void> {
  const permissionId = await ensurePermission(db, perm);
  await db.insert(userPermissions).values({ userId, permissionId }).onConflictDoNothing();
}

export async function revokeUserPermission(db: Database, userId: number, perm: string): Promise<boolean> {
  if (!isPermissionName(perm)) return false;
  const [appLabel, codename] = perm.split('.') as [string, string];
  const rows = await db
    .delete(userPermissions)
    .where(
      and(
        eq(userPermissions.userId, userId),
        sql`${userPermissions.permissionId} IN (SELECT id FROM permissions WHERE app_label = ${appLabel} AND codename = ${codename})`,
      ),
    )
    .returning();
  return rows.length > 0;
}

export async function addUserToGroup(db: Database, userId: number, groupId: number): Promise<void> {
  await db.insert(userGroups).values({ userId, groupId }).onConflictDoNothing();
}

export async function removeUserFromGroup(db: Database, userId: number, groupId: number): Promise<void> {
  await db.delete(userGroups).where(and(eq(userGroups.userId, userId), eq(userGroups.groupId, groupId)));
}

export async function grantGroupPermission(db: Database, groupId: number, perm: string): Promise<void> {
  const permissionId = await ensurePermission(db, perm);
  await db.insert(groupPermissions).values({ groupId, permissionId }).onConflictDoNothing();
}

/** Every user, by username (for `manage users`). */
export async function listUsers(db: Database): Promise<UserRow[]> {
  return db.select().from(users).orderBy(sql`lower(${users.username})`);
}

/** User ids in a group (to tell the bus whose permissions changed). */
export async function groupMemberIds(db: Database, groupId: number): Promise<number[]> {
  const rows = await db.select({ userId: userGroups.userId }).from(userGroups).where(eq(userGroups.groupId, groupId));
  return rows.map((r) => r.userId);
}
