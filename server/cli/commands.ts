import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { permissions, type UserRow } from '../../db/schema';
import { DAY, type StatehouseConfig } from '../config';
import type { Pusher } from '../bus/pusher';
import { PushError, type PushTarget } from '../bus/push-event';
import { TOAST_KINDS, type ToastKind } from '../state/protocol';
import { hashingParams } from '../auth/password';
import { validatePassword, type PasswordValidationContext } from '../auth/password-validation';
import { isPermissionName, loadGrants } from '../auth/permissions';
import { Housekeeping } from '../auth/housekeeping';
import { invalidateUserSessions } from '../auth/session';
import { removeTwoFactor } from '../auth/two-factor';
import type { SessionBackend } from '../auth/session-backend';
import { createLogger } from '../log';
import { type AuditEntry, insertAuditEvent } from '../auth/audit';
import { directPermissionsOf, groupPermissionsOf, groupsOfUser, updateUserFields } from '../auth/admin-data';
import { announceAdminChange } from '../bus/admin-announce';
import {
  addUserToGroup,
  createUser,
  ensureGroup,
  findGroup,
  findUserByEmail,
  findUserByUsername,
  grantGroupPermission,
  grantUserPermission,
  groupMemberIds,
  listUsers,
  removeUserFromGroup,
  revokeUserPermission,
  setUserPassword,
  validateIdentity,
  type FieldError,
} from '../auth/users';

/** Process exit codes: success, a failed command, a malformed command line. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** What a command ends with; a failure's message is one line for stderr. */
export type Outcome = { ok: true } | { ok: false; code: typeof EXIT.failure | typeof EXIT.usage; message: string };

/** A change open tabs must hear about (password changed, permissions changed). */
export type IdentityChange =
  | { kind: 'password_changed'; userId: number; sessionIds: string[] }
  | { kind: 'permissions_changed'; userIds: number[] }
  /** Sessions ended by an admin (`signout`, `deactivate`): their tabs are signed out. */
  | { kind: 'sessions_revoked'; userId: number; sessionIds: string[] };

/** Where identity changes go; the identity bus plugs in here. */
export type NotifyIdentityChange = (change: IdentityChange) => void | Promise<void>;

/** The default: nothing is listening. */
export const notifyNobody: NotifyIdentityChange = () => {};

export interface CommandIO {
  out(line: string): void;
  /** Whether a person is at a terminal to answer prompts. */
  interactive: boolean;
  /** Reads one answer; `null` on end of input. */
  prompt(question: string, options?: { hidden?: boolean }): Promise<string | null>;
}

export interface CommandContext {
  db: Database;
  /** Where sessions are kept (`session.backend`). */
  sessions: SessionBackend;
  config: StatehouseConfig;
  io: CommandIO;
  notify?: NotifyIdentityChange;
  /** Pushes to the open tabs of running servers: over the Redis bus with `BUS_URL`, else none. */
  pusher?: Pick<Pusher, 'toast' | 'push'> | null;
}

/**
 * Records an admin change made from the command line (no actor: whoever ran
 * the command; `via: cli`) and, with a shared bus, tells open admin pages.
 */
async function audited(ctx: CommandContext, entry: Omit<AuditEntry, 'actor' | 'via'>): Promise<void> {
  await insertAuditEvent(ctx.db, { ...entry, actor: null, via: 'cli' });
  if (ctx.pusher) await announceAdminChange(ctx.db, ctx.pusher);
}

const whoOf = (user: UserRow) => ({ id: user.id, username: user.username });

const OK: Outcome = { ok: true };
const fail = (message: string): Outcome => ({ ok: false, code: EXIT.failure, message });
const usage = (message: string): Outcome => ({ ok: false, code: EXIT.usage, message });
const unknownUser = (username: string): Outcome => fail(`unknown user "${username}"`);
const unknownGroup = (name: string): Outcome => fail(`unknown group "${name}"`);
const badPerm = (perm: string): Outcome => fail(`bad permission name "${perm}": expected app_label.codename`);

/** How many times a person at the terminal may retry a rejected password. */
const PASSWORD_ATTEMPTS = 3;

/** Joins messages that each end in a full stop into one line. */
function oneLine(messages: { message: string }[]): string {
  return messages.map((m) => m.message).join(' ');
}

/** Field errors as one line, every password validator's message after `weak password:`. */
function describeFieldErrors(errors: FieldError[]): string {
  const weak = errors.filter((e) => e.field === 'password');
  const others = errors.filter((e) => e.field !== 'password').map((e) => e.message);
  return [...others, ...(weak.length > 0 ? [`weak password: ${oneLine(weak)}`] : [])].join(' ');
}

/** A password from the terminal: typed twice, hidden, validated; `null` after too many misses. */
async function askPassword(ctx: CommandContext, who: PasswordValidationContext): Promise<string | null> {
  for (let attempt = 0; attempt < PASSWORD_ATTEMPTS; attempt++) {
    const first = await ctx.io.prompt('Password: ', { hidden: true });
    if (first === null) return null;
    const again = await ctx.io.prompt('Password (again): ', { hidden: true });
    if (again === null) return null;
    if (first !== again) {
      ctx.io.out('Error: your passwords did not match.');
      continue;
    }
    const problems = validatePassword(first, ctx.config.password, who);
    if (problems.length === 0) return first;
    ctx.io.out(`Error: weak password: ${oneLine(problems)}`);
  }
  return null;
}

export interface CreateUserInput {
  username: string;
  email?: string;
  password?: string;
  staff?: boolean;
  superuser?: boolean;
}

/**
 * Creates a user. Without a password, a person at a terminal is asked for
 * one; otherwise the account gets an unusable password.
 *
 * @example
 * await createUserCommand(ctx, { username: 'carol', password: 'a long passphrase', staff: true });
 */
export async function createUserCommand(ctx: CommandContext, input: CreateUserInput): Promise<Outcome> {
  const username = input.username.trim();
  const email = input.email?.trim() || null;
  const shape = validateIdentity(username, email);
  if (shape.length > 0) return fail(oneLine(shape));
  if (await findUserByUsername(ctx.db, username)) return fail(`a user named "${username}" already exists`);
  if (email && (await findUserByEmail(ctx.db, email))) return fail(`a user with email "${email}" already exists`);
  let password = input.password ?? null;
  if (password === null && ctx.io.interactive) {
    password = await askPassword(ctx, { username, email });
    if (password === null) return fail('no acceptable password given; user not created');
  }
  const options = { hashing: hashingParams(ctx.config), rules: ctx.config.password };
  const isSuperuser = input.superuser ?? false;
  const created = await createUser(
    ctx.db,
    // An address an administrator gives is theirs to vouch for: verified.
    { username, email, password, isSuperuser, isStaff: (input.staff ?? false) || isSuperuser, emailVerified: true },
    options,
  );
  if (!created.ok) return fail(describeFieldErrors(created.errors));
  const kind = isSuperuser ? 'superuser' : created.value.isStaff ? 'staff user' : 'user';
  ctx.io.out(`Created ${kind} "${created.value.username}".`);
  if (password === null) {
    ctx.io.out(`It has an unusable password: set one with "manage changepassword ${created.value.username}".`);
  }
  return OK;
}

/**
 * Creates a superuser, asking for the username (and email) when a person is at
 * a terminal and they were not given.
 *
 * @example
 * await createSuperuserCommand(ctx, { username: 'root', email: 'root@example.com', password: 'a long passphrase' });
 */
export async function createSuperuserCommand(ctx: CommandContext, input: Partial<CreateUserInput>): Promise<Outcome> {
  let { username, email } = input;
  if (!username) {
    if (!ctx.io.interactive) return usage('createsuperuser needs --username when not run at a terminal');
    username = (await ctx.io.prompt('Username: '))?.trim();
    if (!username) return fail('a username is required');
    if (email === undefined) email = (await ctx.io.prompt('Email address (optional): '))?.trim() || undefined;
  }
  return createUserCommand(ctx, { username, email, password: input.password, superuser: true, staff: true });
}

/**
 * Sets a user's password, signs out all their sessions and tells open tabs.
 *
 * @example
 * await changePasswordCommand(ctx, { username: 'alice', password: 'a new passphrase' });
 */
export async function changePasswordCommand(ctx: CommandContext, input: { username: string; password?: string }): Promise<Outcome> {
  const user = await findUserByUsername(ctx.db, input.username);
  if (!user) return unknownUser(input.username);
  let password = input.password ?? null;
  if (password === null) {
    if (!ctx.io.interactive) return usage('changepassword needs --password when not run at a terminal');
    ctx.io.out(`Changing password for user "${user.username}"`);
    password = await askPassword(ctx, user);
    if (password === null) return fail('no acceptable password given; password not changed');
  }
  const changed = await setUserPassword(ctx.db, user, password, {
    hashing: hashingParams(ctx.config),
    rules: ctx.config.password,
  });
  if (!changed.ok) return fail(describeFieldErrors(changed.errors));
  const sessionIds = await invalidateUserSessions(ctx.sessions, user.id);
  await (ctx.notify ?? notifyNobody)({ kind: 'password_changed', userId: user.id, sessionIds });
  await audited(ctx, { type: 'password.changed', target: whoOf(user), detail: { by: 'admin' } });
  ctx.io.out(`Password changed for "${user.username}"; ${sessionIds.length} session(s) signed out.`);
  return OK;
}

async function permissionExists(db: Database, perm: string): Promise<boolean> {
  const [appLabel, codename] = perm.split('.') as [string, string];
  const rows = await db
    .select({ id: permissions.id })
    .from(permissions)
    .where(and(eq(permissions.appLabel, appLabel), eq(permissions.codename, codename)));
  return rows.length > 0;
}

/** Resolves the user and checks the permission name shared by `grant` and `revoke`. */
async function userAndPerm(ctx: CommandContext, username: string, perm: string): Promise<UserRow | Outcome> {
  if (!isPermissionName(perm)) return badPerm(perm);
  return (await findUserByUsername(ctx.db, username)) ?? unknownUser(username);
}

/**
 * Grants `app.codename` to a user directly (the permission is created if new).
 *
 * @example
 * await grantCommand(ctx, { username: 'alice', perm: 'notes.delete_note' });
 */
export async function grantCommand(ctx: CommandContext, input: { username: string; perm: string }): Promise<Outcome> {
  const user = await userAndPerm(ctx, input.username, input.perm);
  if ('ok' in user) return user;
  const isNew = !(await permissionExists(ctx.db, input.perm));
  await grantUserPermission(ctx.db, user.id, input.perm);
  await (ctx.notify ?? notifyNobody)({ kind: 'permissions_changed', userIds: [user.id] });
  await audited(ctx, { type: 'admin.permissions_changed', target: whoOf(user), detail: { granted: input.perm } });
  ctx.io.out(`Granted ${input.perm} to "${user.username}"${isNew ? ' (new permission)' : ''}.`);
  return OK;
}

/**
 * Revokes a direct grant; says so when a group still grants the permission.
 *
 * @example
 * await revokeCommand(ctx, { username: 'alice', perm: 'notes.delete_note' });
 */
export async function revokeCommand(ctx: CommandContext, input: { username: string; perm: string }): Promise<Outcome> {
  const user = await userAndPerm(ctx, input.username, input.perm);
  if ('ok' in user) return user;
  const removed = await revokeUserPermission(ctx.db, user.id, input.perm);
  if (removed) {
    await (ctx.notify ?? notifyNobody)({ kind: 'permissions_changed', userIds: [user.id] });
    await audited(ctx, { type: 'admin.permissions_changed', target: whoOf(user), detail: { revoked: input.perm } });
  }
  ctx.io.out(
    removed
      ? `Revoked ${input.perm} from "${user.username}".`
      : `"${user.username}" held no direct grant of ${input.perm}; nothing revoked.`,
  );
  if ((await loadGrants(ctx.db, user.id)).permissions.has(input.perm)) {
    ctx.io.out(`"${user.username}" still holds ${input.perm} through a group.`);
  }
  return OK;
}

/**
 * Removes a user from a group.
 *
 * @example
 * await removeFromGroupCommand(ctx, { username: 'bob', group: 'editors' });
 */
export async function removeFromGroupCommand(ctx: CommandContext, input: { username: string; group: string }): Promise<Outcome> {
  const user = await findUserByUsername(ctx.db, input.username);
  if (!user) return unknownUser(input.username);
  const groupId = await findGroup(ctx.db, input.group);
  if (groupId === null) return unknownGroup(input.group);
  if (!(await groupsOfUser(ctx.db, user.id)).some((g) => g.id === groupId)) {
    ctx.io.out(`"${user.username}" is not in group "${input.group.trim()}"; nothing removed.`);
    return OK;
  }
  await removeUserFromGroup(ctx.db, user.id, groupId);
  await (ctx.notify ?? notifyNobody)({ kind: 'permissions_changed', userIds: [user.id] });
  await audited(ctx, { type: 'admin.groups_changed', target: whoOf(user), detail: { removed: input.group.trim() } });
  ctx.io.out(`Removed "${user.username}" from group "${input.group.trim()}".`);
  return OK;
}

/**
 * Prints a user's permissions: direct grants, what each group gives, and
 * whether superuser or inactive status overrides them.
 *
 * @example
 * await listPermsCommand(ctx, { username: 'alice' });
 */
export async function listPermsCommand(ctx: CommandContext, input: { username: string }): Promise<Outcome> {
  const user = await findUserByUsername(ctx.db, input.username);
  if (!user) return unknownUser(input.username);
  if (!user.isActive) ctx.io.out(`"${user.username}" is inactive: they hold no permission while inactive.`);
  else if (user.isSuperuser) ctx.io.out(`"${user.username}" is a superuser: they hold every permission.`);
  const direct = await directPermissionsOf(ctx.db, user.id);
  ctx.io.out(`Direct: ${direct.length > 0 ? direct.join(', ') : '(none)'}`);
  for (const group of await groupsOfUser(ctx.db, user.id)) {
    const perms = await groupPermissionsOf(ctx.db, group.id);
    ctx.io.out(`Group "${group.name}": ${perms.length > 0 ? perms.join(', ') : '(none)'}`);
  }
  const all = [...(await loadGrants(ctx.db, user.id)).permissions].sort();
  ctx.io.out(`Effective: ${all.length > 0 ? all.join(', ') : '(none)'}`);
  return OK;
}

/** Ends every session of `user`, tells their open tabs and audits it. */
async function endSessionsOf(ctx: CommandContext, user: UserRow): Promise<number> {
  const sessionIds = await invalidateUserSessions(ctx.sessions, user.id);
  if (sessionIds.length > 0) await (ctx.notify ?? notifyNobody)({ kind: 'sessions_revoked', userId: user.id, sessionIds });
  return sessionIds.length;
}

/**
 * `signout <username>`: ends every session of a user; their open tabs are
 * signed out at once (with `BUS_URL`).
 *
 * @example
 * await signOutCommand(ctx, { username: 'bob' });
 */
export async function signOutCommand(ctx: CommandContext, input: { username: string }): Promise<Outcome> {
  const user = await findUserByUsername(ctx.db, input.username);
  if (!user) return unknownUser(input.username);
  const ended = await endSessionsOf(ctx, user);
  await audited(ctx, { type: 'admin.signed_out_everywhere', target: whoOf(user), detail: { sessions: ended } });
  ctx.io.out(`Signed out "${user.username}": ${ended} session(s) ended.`);
  return OK;
}

/**
 * `reset2fa <username>`: turns a user's two-factor off (their authenticator
 * key, recovery codes and trusted devices go), for a user who lost their
 * app and their recovery codes. They sign in with their password alone
 * until they set it up again; their open tabs follow (with `BUS_URL`).
 *
 * @example
 * await resetTwoFactorCommand(ctx, { username: 'bob' });
 */
export async function resetTwoFactorCommand(ctx: CommandContext, input: { username: string }): Promise<Outcome> {
  const user = await findUserByUsername(ctx.db, input.username);
  if (!user) return unknownUser(input.username);
  if (!(await removeTwoFactor(ctx.db, user.id))) return fail(`"${user.username}" has no two-factor authentication`);
  await audited(ctx, { type: 'admin.two_factor_reset', target: whoOf(user) });
  await (ctx.notify ?? notifyNobody)({ kind: 'permissions_changed', userIds: [user.id] });
  ctx.io.out(`Reset two-factor authentication of "${user.username}": they sign in with their password until they set it up again.`);
  return OK;
}

/**
 * `deactivate <username>` / `activate <username>`: an inactive user cannot
 * sign in and holds no permission; deactivating also ends their sessions.
 *
 * @example
 * await setActiveCommand(ctx, { username: 'bob', active: false });
 */
export async function setActiveCommand(ctx: CommandContext, input: { username: string; active: boolean }): Promise<Outcome> {
  const user = await findUserByUsername(ctx.db, input.username);
  if (!user) return unknownUser(input.username);
  const word = input.active ? 'active' : 'inactive';
  if (user.isActive === input.active) {
    ctx.io.out(`"${user.username}" is already ${word}.`);
    return OK;
  }
  await updateUserFields(ctx.db, user.id, { isActive: input.active });
  const ended = input.active ? 0 : await endSessionsOf(ctx, user);
  await (ctx.notify ?? notifyNobody)({ kind: 'permissions_changed', userIds: [user.id] });
  await audited(ctx, { type: input.active ? 'admin.user_activated' : 'admin.user_deactivated', target: whoOf(user) });
  ctx.io.out(`"${user.username}" is now ${word}${input.active ? '' : `; ${ended} session(s) signed out`}.`);
  return OK;
}

/**
 * `setstaff <username> [--off]` / `setsuperuser <username> [--off]`. A new
 * superuser becomes staff too (the admin needs it); taking superuser status
 * away leaves staff status as it is.
 *
 * @example
 * await setFlagCommand(ctx, { username: 'carol', flag: 'isStaff', value: true });
 */
export async function setFlagCommand(
  ctx: CommandContext,
  input: { username: string; flag: 'isStaff' | 'isSuperuser'; value: boolean },
): Promise<Outcome> {
  const user = await findUserByUsername(ctx.db, input.username);
  if (!user) return unknownUser(input.username);
  const label = input.flag === 'isStaff' ? 'staff' : 'superuser';
  if (user[input.flag] === input.value) {
    ctx.io.out(`"${user.username}" ${input.value ? 'is already' : 'is not'} ${label}.`);
    return OK;
  }
  const fields = input.flag === 'isSuperuser' && input.value ? { isSuperuser: true, isStaff: true } : { [input.flag]: input.value };
  await updateUserFields(ctx.db, user.id, fields);
  await (ctx.notify ?? notifyNobody)({ kind: 'permissions_changed', userIds: [user.id] });
  const type = input.flag === 'isStaff' ? 'admin.staff_changed' : 'admin.superuser_changed';
  await audited(ctx, { type, target: whoOf(user), detail: { value: input.value } });
  ctx.io.out(`"${user.username}" is ${input.value ? 'now' : 'no longer'} ${label}.`);
  return OK;
}

/** Longest group name (as in Django). */
const MAX_GROUP_NAME = 150;

/**
 * Creates a group; an existing group is left as it is.
 *
 * @example
 * await addGroupCommand(ctx, { name: 'editors' });
 */
export async function addGroupCommand(ctx: CommandContext, input: { name: string }): Promise<Outcome> {
  const name = input.name.trim();
  if (!name || name.length > MAX_GROUP_NAME) return fail(`group names are 1–${MAX_GROUP_NAME} characters`);
  if ((await findGroup(ctx.db, name)) !== null) {
    ctx.io.out(`Group "${name}" already exists.`);
    return OK;
  }
  await ensureGroup(ctx.db, name);
  ctx.io.out(`Created group "${name}".`);
  return OK;
}

/**
 * Adds a user to a group.
 *
 * @example
 * await addToGroupCommand(ctx, { username: 'bob', group: 'editors' });
 */
export async function addToGroupCommand(ctx: CommandContext, input: { username: string; group: string }): Promise<Outcome> {
  const user = await findUserByUsername(ctx.db, input.username);
  if (!user) return unknownUser(input.username);
  const groupId = await findGroup(ctx.db, input.group);
  if (groupId === null) return unknownGroup(input.group);
  await addUserToGroup(ctx.db, user.id, groupId);
  await (ctx.notify ?? notifyNobody)({ kind: 'permissions_changed', userIds: [user.id] });
  await audited(ctx, { type: 'admin.groups_changed', target: whoOf(user), detail: { added: input.group.trim() } });
  ctx.io.out(`Added "${user.username}" to group "${input.group.trim()}".`);
  return OK;
}

/**
 * Grants `app.codename` to every member of a group.
 *
 * @example
 * await grantGroupCommand(ctx, { group: 'editors', perm: 'notes.delete_note' });
 */
export async function grantGroupCommand(ctx: CommandContext, input: { group: string; perm: string }): Promise<Outcome> {
  if (!isPermissionName(input.perm)) return badPerm(input.perm);
  const groupId = await findGroup(ctx.db, input.group);
  if (groupId === null) return unknownGroup(input.group);
  await grantGroupPermission(ctx.db, groupId, input.perm);
  await (ctx.notify ?? notifyNobody)({ kind: 'permissions_changed', userIds: await groupMemberIds(ctx.db, groupId) });
  await audited(ctx, { type: 'admin.group_permissions_changed', target: null, detail: { group: input.group.trim(), granted: input.perm } });
  ctx.io.out(`Granted ${input.perm} to group "${input.group.trim()}".`);
  return OK;
}

/**
 * Runs one housekeeping pass, as the servers do on their schedule: deletes
 * expired sessions (and their data) and used or expired cookie tickets and
 * reset tokens, then prints how many. With the Redis session backend there
 * are no expired sessions to delete (Redis expires them itself), and the
 * message says so. Fails while a server runs a pass.
 *
 * @example
 * await clearSessionsCommand(ctx);
 */
export async function clearSessionsCommand(ctx: CommandContext, now: number = Date.now()): Promise<Outcome> {
  const housekeeping = new Housekeeping(ctx.db, ctx.sessions, {
    intervalMs: 0,
    batchSize: ctx.config.housekeeping.batchSize,
    log: createLogger('silent'),
    auditRetentionMs: ctx.config.audit.retentionDays * DAY,
  });
  const pass = await housekeeping.runOnce(now);
  if (!pass.ran) {
    const until = pass.reason === 'busy' && pass.heldUntil !== null ? ` (until ${formatInstant(pass.heldUntil)} UTC at the latest)` : '';
    return fail(`another process is running housekeeping${until}; try again later`);
  }
  const { sessions, tokens, auditEvents } = pass.deleted;
  ctx.io.out(
    ctx.sessions.name === 'redis'
      ? `Deleted ${tokens} used or expired token(s); Redis deletes expired sessions itself.`
      : `Deleted ${sessions} expired session(s) and ${tokens} used or expired token(s).`,
  );
  if (auditEvents > 0) ctx.io.out(`Deleted ${auditEvents} audit event(s) older than ${ctx.config.audit.retentionDays} days.`);
  return OK;
}

/** `2026-01-31 09:05` in UTC, or `never`. */
function formatInstant(ms: number | null): string {
  return ms === null ? 'never' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * Prints every user as a table (no password data).
 *
 * @example
 * await listUsersCommand(ctx);
 */
export async function listUsersCommand(ctx: CommandContext): Promise<Outcome> {
  const rows = await listUsers(ctx.db);
  if (rows.length === 0) {
    ctx.io.out('No users.');
    return OK;
  }
  const yesNo = (v: boolean): string => (v ? 'yes' : 'no');
  const table = [
    ['username', 'email', 'staff', 'superuser', 'active', 'last login (UTC)'],
    ...rows.map((u) => [u.username, u.email ?? '-', yesNo(u.isStaff), yesNo(u.isSuperuser), yesNo(u.isActive), formatInstant(u.lastLogin)]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const row of table)
    ctx.io.out(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
  return OK;
}

/**
 * `toast <message> (--user U | --all) [--kind K]`: shows a toast in the open
 * tabs of a user, or of everyone, on every server process. Needs the shared
 * bus (`BUS_URL`): without it no server hears the command line.
 */
export async function toastCommand(
  ctx: CommandContext,
  args: { message: string; username?: string; all: boolean; kind?: string },
): Promise<Outcome> {
  if (!ctx.pusher) return fail('toast needs BUS_URL: only the shared bus reaches the tabs of running servers');
  if (args.all === (args.username !== undefined)) return usage('give either --user <username> or --all');
  const kind = args.kind ?? 'info';
  if (!(TOAST_KINDS as readonly string[]).includes(kind)) return usage(`bad kind "${kind}": expected ${TOAST_KINDS.join(', ')}`);
  let target: PushTarget = { all: true };
  if (args.username !== undefined) {
    const user = await findUserByUsername(ctx.db, args.username);
    if (!user) return unknownUser(args.username);
    target = { userId: user.id };
  }
  try {
    await ctx.pusher.toast(target, kind as ToastKind, args.message);
  } catch (error) {
    if (error instanceof PushError) return fail(error.message);
    throw error;
  }
  ctx.io.out(args.username === undefined ? 'Toast sent to every open tab.' : `Toast sent to the open tabs of "${args.username}".`);
  return OK;
}
