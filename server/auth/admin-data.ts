import { and, asc, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { groupPermissions, groups, permissions, userGroups, userPermissions, users } from '../../db/schema/auth';
import { sessionUserColumns } from './session-user';
import { ensurePermission } from './users';

/**
 * The admin console's reads and writes of users, groups and permissions:
 * paging, sorting, search and filters all in SQL. Authorization and the
 * lock-out rules live in the router (`admin-router.ts`) and `admin-rights.ts`.
 */

/** The permissions the admin console itself checks, Django's names. */
export const ADMIN_PERMISSIONS = {
  viewUser: 'auth.view_user',
  changeUser: 'auth.change_user',
  deleteUser: 'auth.delete_user',
  viewGroup: 'auth.view_group',
  addGroup: 'auth.add_group',
  changeGroup: 'auth.change_group',
  deleteGroup: 'auth.delete_group',
  viewAuditEvent: 'auth.view_auditevent',
} as const;

/** A user as the admin lists show them (no password data). */
export interface AdminUserRow {
  id: number;
  username: string;
  email: string | null;
  firstName: string;
  lastName: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  dateJoined: number;
  lastLogin: number | null;
}

export const USER_SORTS = ['username', 'email', 'dateJoined', 'lastLogin'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export interface UserQuery {
  /** Text in the username, email, first or last name (case-insensitive). */
  search?: string;
  isActive?: boolean;
  isStaff?: boolean;
  isSuperuser?: boolean;
  groupId?: number;
  sort: UserSort;
  direction: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** The session lookup's columns but `pendingEmail`: no password data. */
const { pendingEmail: _pending, ...USER_COLUMNS } = sessionUserColumns;

const SORT_COLUMN = {
  username: sql`lower(${users.username})`,
  email: sql`lower(${users.email})`,
  dateJoined: users.dateJoined,
  lastLogin: users.lastLogin,
} satisfies Record<UserSort, unknown>;

/** `%text%` for LIKE, its wildcards escaped. */
export function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A page of users and how many match. */
export async function listUsersPage(db: Database, query: UserQuery): Promise<{ rows: AdminUserRow[]; total: number }> {
  const where: SQL[] = [];
  if (query.search) {
    const like = likePattern(query.search);
    where.push(
      sql`(lower(${users.username}) LIKE ${like} ESCAPE '\\' OR lower(coalesce(${users.email}, '')) LIKE ${like} ESCAPE '\\'
        OR lower(${users.firstName}) LIKE ${like} ESCAPE '\\' OR lower(${users.lastName}) LIKE ${like} ESCAPE '\\')`,
    );
  }
  if (query.isActive !== undefined) where.push(eq(users.isActive, query.isActive));
  if (query.isStaff !== undefined) where.push(eq(users.isStaff, query.isStaff));
  if (query.isSuperuser !== undefined) where.push(eq(users.isSuperuser, query.isSuperuser));
  if (query.groupId !== undefined) {
    where.push(sql`EXISTS (SELECT 1 FROM user_groups ug WHERE ug.user_id = ${users.id} AND ug.group_id = ${query.groupId})`);
  }
  const condition = where.length > 0 ? and(...where) : undefined;
  const order = query.direction === 'asc' ? asc : desc;
  const [rows, [count]] = await Promise.all([
    db
      .select(USER_COLUMNS)
      .from(users)
      .where(condition)
      .orderBy(order(SORT_COLUMN[query.sort]), order(users.id))
      .limit(query.limit)
      .offset(query.offset),
    db.select({ n: sql<number>`count(*)` }).from(users).where(condition),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

export async function findAdminUser(db: Database, id: number): Promise<AdminUserRow | null> {
  const [row] = await db.select(USER_COLUMNS).from(users).where(eq(users.id, id));
  return row ?? null;
}

/** A user's groups (id, name), by name. */
export async function groupsOfUser(db: Database, userId: number): Promise<{ id: number; name: string }[]> {
  return db
    .select({ id: groups.id, name: groups.name })
    .from(userGroups)
    .innerJoin(groups, eq(groups.id, userGroups.groupId))
    .where(eq(userGroups.userId, userId))
    .orderBy(groups.name);
}

const PERMISSION_NAME = sql<string>`${permissions.appLabel} || '.' || ${permissions.codename}`;

/** A user's direct grants (`app.codename`), sorted. */
export async function directPermissionsOf(db: Database, userId: number): Promise<string[]> {
  const rows = await db
    .select({ name: PERMISSION_NAME })
    .from(userPermissions)
    .innerJoin(permissions, eq(permissions.id, userPermissions.permissionId))
    .where(eq(userPermissions.userId, userId));
  return rows.map((r) => r.name).sort();
}

/** Every permission that exists (`app.codename` and its label), sorted. */
export async function listPermissions(db: Database): Promise<{ name: string; label: string }[]> {
  const rows = await db.select({ name: PERMISSION_NAME, label: permissions.name }).from(permissions);
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

export async function updateUserFields(
  db: Database,
  id: number,
  fields: Partial<Pick<AdminUserRow, 'firstName' | 'lastName' | 'email' | 'isActive' | 'isStaff' | 'isSuperuser'>>,
): Promise<void> {
  if (Object.keys(fields).length > 0) await db.update(users).set(fields).where(eq(users.id, id));
}

/** Replaces a user's groups. */
export async function setUserGroups(db: Database, userId: number, groupIds: readonly number[]): Promise<void> {
  await db.batch([
    db.delete(userGroups).where(eq(userGroups.userId, userId)),
    ...groupIds.map((groupId) => db.insert(userGroups).values({ userId, groupId }).onConflictDoNothing()),
  ]);
}

/** Permission ids of `app.codename` names, created when new. */
async function permissionIds(db: Database, names: readonly string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const name of names) ids.push(await ensurePermission(db, name));
  return ids;
}

/** Replaces a user's direct grants. */
export async function setUserPermissions(db: Database, userId: number, names: readonly string[]): Promise<void> {
  const ids = await permissionIds(db, names);
  await db.batch([
    db.delete(userPermissions).where(eq(userPermissions.userId, userId)),
    ...ids.map((permissionId) => db.insert(userPermissions).values({ userId, permissionId }).onConflictDoNothing()),
  ]);
}

export async function deleteUserRow(db: Database, id: number): Promise<void> {
  await db.delete(users).where(eq(users.id, id));
}

/** Groups with their member counts, by name. */
export async function listGroupsWithCounts(db: Database): Promise<{ id: number; name: string; members: number; permissions: number }[]> {
  const result = await db.$client.execute(
    `SELECT g.id, g.name,
       (SELECT count(*) FROM user_groups ug WHERE ug.group_id = g.id) AS members,
       (SELECT count(*) FROM group_permissions gp WHERE gp.group_id = g.id) AS permissions
     FROM groups g ORDER BY lower(g.name)`,
  );
  return result.rows.map((r) => ({
    id: Number(r.id),
    name: String(r.name),
    members: Number(r.members),
    permissions: Number(r.permissions),
  }));
}

export async function findGroupById(db: Database, id: number): Promise<{ id: number; name: string } | null> {
  const [row] = await db.select({ id: groups.id, name: groups.name }).from(groups).where(eq(groups.id, id));
  return row ?? null;
}

export async function groupPermissionsOf(db: Database, groupId: number): Promise<string[]> {
  const rows = await db
    .select({ name: PERMISSION_NAME })
    .from(groupPermissions)
    .innerJoin(permissions, eq(permissions.id, groupPermissions.permissionId))
    .where(eq(groupPermissions.groupId, groupId));
  return rows.map((r) => r.name).sort();
}

export async function groupMembersOf(db: Database, groupId: number): Promise<{ id: number; username: string }[]> {
  return db
    .select({ id: users.id, username: users.username })
    .from(userGroups)
    .innerJoin(users, eq(users.id, userGroups.userId))
    .where(eq(userGroups.groupId, groupId))
    .orderBy(sql`lower(${users.username})`);
}

/** Creates a group; `null` when the name is taken. */
export async function createGroupRow(db: Database, name: string): Promise<number | null> {
  const rows = await db.insert(groups).values({ name }).onConflictDoNothing().returning({ id: groups.id });
  return rows[0]?.id ?? null;
}

/** Renames a group; `false` when the name is taken by another. */
export async function renameGroupRow(db: Database, id: number, name: string): Promise<boolean> {
  const [other] = await db.select({ id: groups.id }).from(groups).where(eq(groups.name, name));
  if (other && other.id !== id) return false;
  await db.update(groups).set({ name }).where(eq(groups.id, id));
  return true;
}

export async function deleteGroupRow(db: Database, id: number): Promise<void> {
  await db.delete(groups).where(eq(groups.id, id));
}

export async function setGroupPermissions(db: Database, groupId: number, names: readonly string[]): Promise<void> {
  const ids = await permissionIds(db, names);
  await db.batch([
    db.delete(groupPermissions).where(eq(groupPermissions.groupId, groupId)),
    ...ids.map((permissionId) => db.insert(groupPermissions).values({ groupId, permissionId }).onConflictDoNothing()),
  ]);
}

export async function setGroupMembers(db: Database, groupId: number, userIds: readonly number[]): Promise<void> {
  await db.batch([
    db.delete(userGroups).where(eq(userGroups.groupId, groupId)),
    ...userIds.map((userId) => db.insert(userGroups).values({ userId, groupId }).onConflictDoNothing()),
  ]);
}

/** Which of these ids are users (the rest are unknown). */
export async function existingUserIds(db: Database, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(inArray(users.id, [...ids]));
  return rows.map((r) => r.id);
}

/** Which of these ids are groups. */
export async function existingGroupIds(db: Database, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: groups.id })
    .from(groups)
    .where(inArray(groups.id, [...ids]));
  return rows.map((r) => r.id);
}

/** Active staff users' ids (whose open admin pages follow changes). */
export async function activeStaffIds(db: Database): Promise<number[]> {
  const rows = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isStaff, true), eq(users.isActive, true)));
  return rows.map((r) => r.id);
}

/**
 * Whether an active user other than `userId` holds an admin right: a
 * superuser, or a staff user granted `auth.change_user` (directly or
 * through a group). Deleting `userId` must not leave the site without one.
 */
export async function anotherAdminExists(db: Database, userId: number): Promise<boolean> {
  const [superuser] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.isActive, true), eq(users.isSuperuser, true), sql`${users.id} <> ${userId}`))
    .limit(1);
  if (superuser) return true;
  const [granted] = await db.$client
    .execute({
      sql: `SELECT u.id FROM users u
      JOIN permissions p ON p.app_label = 'auth' AND p.codename = 'change_user'
      WHERE u.is_active = 1 AND u.is_staff = 1 AND u.id <> ?
        AND (EXISTS (SELECT 1 FROM user_permissions up WHERE up.user_id = u.id AND up.permission_id = p.id)
          OR EXISTS (SELECT 1 FROM user_groups ug JOIN group_permissions gp ON gp.group_id = ug.group_id
                     WHERE ug.user_id = u.id AND gp.permission_id = p.id))
      LIMIT 1`,
      args: [userId],
    })
    .then((result) => result.rows);
  return granted !== undefined;
}

/**
 * A change of grants, as far as one user is concerned: the groups they would
 * be in, their direct grants, and one group's new permissions or deletion.
 */
export interface GrantsChange {
  groupIds?: readonly number[];
  permissions?: readonly string[];
  group?: { id: number; permissions?: readonly string[]; deleted?: boolean };
}

/** The permissions `userId` would hold after `change` (ignoring superuser and active flags). */
export async function permissionsAfter(db: Database, userId: number, change: GrantsChange): Promise<Set<string>> {
  const held = new Set(change.permissions ?? (await directPermissionsOf(db, userId)));
  let groupIds = change.groupIds ? [...change.groupIds] : (await groupsOfUser(db, userId)).map((g) => g.id);
  if (change.group?.deleted) groupIds = groupIds.filter((id) => id !== change.group!.id);
  for (const groupId of groupIds) {
    const names =
      change.group && change.group.id === groupId && change.group.permissions
        ? change.group.permissions
        : await groupPermissionsOf(db, groupId);
    for (const name of names) held.add(name);
  }
  return held;
}
