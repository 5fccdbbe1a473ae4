import { TRPCError } from '@trpc/server';
import { removeTwoFactor, twoFactorEnabled } from '../auth/two-factor';
import { z } from 'zod';
import type { AuditEntry } from '../auth/audit';
import { AUDIT_EVENT_TYPES, listAuditEvents } from '../auth/audit';
import {
  ADMIN_PERMISSIONS as P,
  createGroupRow,
  deleteGroupRow,
  anotherAdminExists,
  directPermissionsOf,
  existingGroupIds,
  existingUserIds,
  findAdminUser,
  findGroupById,
  type GrantsChange,
  groupMembersOf,
  groupPermissionsOf,
  groupsOfUser,
  listGroupsWithCounts,
  listPermissions,
  listUsersPage,
  permissionsAfter,
  renameGroupRow,
  setGroupMembers,
  setGroupPermissions,
  setUserGroups,
  setUserPermissions,
  USER_SORTS,
  updateUserFields,
  type AdminUserRow,
} from '../auth/admin-data';
import { deleteUserEverywhere } from '../auth/delete-user';
import { loadGrants, permissionHeld } from '../auth/permissions';
import { listUserSessions } from '../auth/session';
import { findUserByEmail, MAX_EMAIL_LENGTH } from '../auth/users';
import { validationFailed } from '../errors';
import { guarded } from '../bridge/bridge';
import { recentAuth } from '../bridge/account-guards';
import { can, staffRequired } from '../bridge/guards';
import { router, type EventContext } from '../bridge/trpc';
import { announceAdminChange } from '../bus/admin-announce';
import { adminRefusal, type AdminRefusal } from './admin-refusals';

/** Staff, and the permission (superusers pass every permission, as in Django's admin). */
const admin = (perm: string) => guarded(staffRequired(), can(perm));

const id = z.number().int().positive();
const userId = z.object({ id });
const PAGE_SIZE_MAX = 100;
const permissionName = z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'Permission names look like app_label.codename.');
const groupName = z.string().trim().min(1, 'Enter a name.').max(150);

const listUsersInput = z.object({
  search: z.string().trim().max(150).optional(),
  isActive: z.boolean().optional(),
  isStaff: z.boolean().optional(),
  isSuperuser: z.boolean().optional(),
  groupId: id.optional(),
  sort: z.enum(USER_SORTS).default('username'),
  direction: z.enum(['asc', 'desc']).default('asc'),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(PAGE_SIZE_MAX).default(25),
});

const auditInput = z.object({
  types: z.array(z.enum(AUDIT_EVENT_TYPES)).max(AUDIT_EVENT_TYPES.length).optional(),
  userId: id.optional(),
  name: z.string().trim().max(150).optional(),
  ip: z.string().trim().max(64).optional(),
  since: z.number().int().min(0).optional(),
  before: z.number().int().min(0).optional(),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(PAGE_SIZE_MAX).default(50),
});

type Ctx = EventContext & { user: { id: number; username: string; isSuperuser: boolean } };

function notFound(ctx: Ctx, what: 'user' | 'group'): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: adminRefusal(ctx, what === 'user' ? 'noSuchUser' : 'noSuchGroup') });
}

function lockedOut(ctx: Ctx, key: AdminRefusal, vars?: { perm: string }): TRPCError {
  return new TRPCError({ code: 'FORBIDDEN', message: adminRefusal(ctx, key, vars) });
}

async function userOr404(ctx: Ctx, userId: number): Promise<AdminUserRow> {
  const row = await findAdminUser(ctx.db, userId);
  if (!row) throw notFound(ctx, 'user');
  return row;
}

/**
 * A user whose account an admin may act on (names, email, status, sessions,
 * password reset, two-factor, deletion): a superuser's only by a superuser,
 * so a staff admin cannot take over, sign out or remove a superuser account.
 */
async function changeableUser(ctx: Ctx, userId: number): Promise<AdminUserRow> {
  const row = await userOr404(ctx, userId);
  if (row.isSuperuser && !ctx.user.isSuperuser) {
    throw new TRPCError({ code: 'FORBIDDEN', message: adminRefusal(ctx, 'superuserAccount') });
  }
  return row;
}

async function groupOr404(ctx: Ctx, groupId: number): Promise<{ id: number; name: string }> {
  const row = await findGroupById(ctx.db, groupId);
  if (!row) throw notFound(ctx, 'group');
  return row;
}

/** "Confirm it's you" before an admin change: the acting admin signed in or confirmed within `auth.reauthWindowMs`. */
const RECENT_AUTH = recentAuth();

/**
 * Every admin mutation below calls this first: past the window it answers
 * `REAUTH_REQUIRED` with the `confirmIdentity` action, and the console sends
 * the change again once the admin confirmed.
 */
async function requireRecentAuth(ctx: Ctx): Promise<void> {
  await RECENT_AUTH.check(ctx);
}

/**
 * Refuses a change that would take from the acting admin a right that lets
 * them undo it (`auth.change_user`, `auth.change_group`). Superusers hold
 * every permission whatever their grants; their flags are guarded apart.
 */
async function refuseSelfLockout(ctx: Ctx, change: GrantsChange): Promise<void> {
  if (ctx.user.isSuperuser) return;
  const before = (await loadGrants(ctx.db, ctx.user.id)).permissions;
  const after = await permissionsAfter(ctx.db, ctx.user.id, change);
  for (const perm of [P.changeUser, P.changeGroup]) {
    if (before.has(perm) && !after.has(perm)) {
      throw lockedOut(ctx, 'ownPermission', { perm });
    }
  }
}

/**
 * After an admin change: the affected users' open tabs follow (snapshot,
 * `access` revision; sessions ended separately), open admin pages read again,
 * and the change is audited. All of it once the reply is written.
 */
function changed(ctx: Ctx, entry: Omit<AuditEntry, 'ip' | 'userAgent' | 'via' | 'actor'>, affected: readonly number[]): void {
  ctx.auth.audit(entry);
  ctx.event.afterReply(async () => {
    await ctx.auth.notifyUsersChanged([...new Set(affected)]);
    await announceAdminChange(ctx.db, ctx.runtime.pusher);
  });
}

const who = (row: { id: number; username: string }) => ({ id: row.id, username: row.username });

const usersRouter = router({
  list: admin(P.viewUser)
    .input(listUsersInput)
    .query(async function listUsers({ ctx, input }) {
      const { page, pageSize, ...filters } = input;
      const { rows, total } = await listUsersPage(ctx.db, { ...filters, offset: (page - 1) * pageSize, limit: pageSize });
      return { rows, total, page, pageSize };
    }),

  get: admin(P.viewUser)
    .input(userId)
    .query(async function getUser({ ctx, input }) {
      const user = await userOr404(ctx, input.id);
      const [groups, permissions, sessions, twoFactor] = await Promise.all([
        groupsOfUser(ctx.db, user.id),
        directPermissionsOf(ctx.db, user.id),
        listUserSessions(ctx.runtime.sessions, user.id),
        twoFactorEnabled(ctx.db, user.id),
      ]);
      return {
        user,
        groups,
        permissions,
        twoFactor,
        /** Whether the acting admin may delete this user (`auth.delete_user`): the page shows **Delete user** then. */
        mayDelete: await permissionHeld(ctx.db, ctx.user, P.deleteUser),
        // No session ids: an admin signs a user out everywhere, never picks up a session.
        sessions: sessions.map((s) => ({ createdAt: s.createdAt, lastSeenAt: s.lastVerifiedAt, ip: s.ip, userAgent: s.userAgent })),
      };
    }),

  update: admin(P.changeUser)
    .input(
      z.object({
        id,
        firstName: z.string().trim().max(150),
        lastName: z.string().trim().max(150),
        email: z.string().trim().max(MAX_EMAIL_LENGTH).email('Enter a valid email address.').or(z.literal('')),
      }),
    )
    .mutation(async function updateUser({ ctx, input }) {
      await requireRecentAuth(ctx);
      const user = await changeableUser(ctx, input.id);
      const email = input.email || null;
      if (email && email.toLowerCase() !== user.email?.toLowerCase()) {
        const holder = await findUserByEmail(ctx.db, email);
        if (holder && holder.id !== user.id) {
          throw validationFailed([{ field: 'email', code: 'unique', message: adminRefusal(ctx, 'emailTaken') }]);
        }
      }
      await updateUserFields(ctx.db, user.id, { firstName: input.firstName, lastName: input.lastName, email });
      const fields = (['firstName', 'lastName', 'email'] as const).filter((f) => (f === 'email' ? email : input[f]) !== user[f]);
      changed(ctx, { type: 'admin.user_updated', target: who(user), detail: { fields } }, [user.id]);
      if (fields.includes('email')) ctx.auth.audit({ type: 'email.changed', target: who(user), detail: { by: 'admin' } });
      return null;
    }),

  setActive: admin(P.changeUser)
    .input(z.object({ id, active: z.boolean() }))
    .mutation(async function setActive({ ctx, input }) {
      await requireRecentAuth(ctx);
      const user = await changeableUser(ctx, input.id);
      if (!input.active && user.id === ctx.user.id) throw lockedOut(ctx, 'ownDeactivation');
      if (user.isActive === input.active) return null;
      await updateUserFields(ctx.db, user.id, { isActive: input.active });
      // A deactivated user's open tabs are signed out at once.
      if (!input.active) await ctx.auth.invalidateUserSessions(user.id);
      changed(ctx, { type: input.active ? 'admin.user_activated' : 'admin.user_deactivated', target: who(user) }, [user.id]);
      return null;
    }),

  setFlags: admin(P.changeUser)
    .input(z.object({ id, isStaff: z.boolean().optional(), isSuperuser: z.boolean().optional() }))
    .mutation(async function setFlags({ ctx, input }) {
      await requireRecentAuth(ctx);
      if (!ctx.user.isSuperuser) throw new TRPCError({ code: 'FORBIDDEN', message: adminRefusal(ctx, 'superuserStatus') });
      const user = await userOr404(ctx, input.id);
      if (user.id === ctx.user.id && (input.isStaff === false || input.isSuperuser === false)) {
        throw lockedOut(ctx, 'ownStatus');
      }
      const fields: { isStaff?: boolean; isSuperuser?: boolean } = {};
      if (input.isStaff !== undefined && input.isStaff !== user.isStaff) fields.isStaff = input.isStaff;
      if (input.isSuperuser !== undefined && input.isSuperuser !== user.isSuperuser) fields.isSuperuser = input.isSuperuser;
      await updateUserFields(ctx.db, user.id, fields);
      if (fields.isStaff !== undefined)
        changed(ctx, { type: 'admin.staff_changed', target: who(user), detail: { value: fields.isStaff } }, [user.id]);
      if (fields.isSuperuser !== undefined) {
        changed(ctx, { type: 'admin.superuser_changed', target: who(user), detail: { value: fields.isSuperuser } }, [user.id]);
      }
      return null;
    }),

  setGroups: admin(P.changeUser)
    .input(z.object({ id, groupIds: z.array(id).max(500) }))
    .mutation(async function setGroups({ ctx, input }) {
      await requireRecentAuth(ctx);
      const user = await userOr404(ctx, input.id);
      const groupIds = await existingGroupIds(ctx.db, [...new Set(input.groupIds)]);
      if (user.id === ctx.user.id) await refuseSelfLockout(ctx, { groupIds });
      await setUserGroups(ctx.db, user.id, groupIds);
      const names = (await groupsOfUser(ctx.db, user.id)).map((g) => g.name);
      changed(ctx, { type: 'admin.groups_changed', target: who(user), detail: { groups: names } }, [user.id]);
      return null;
    }),

  setPermissions: admin(P.changeUser)
    .input(z.object({ id, permissions: z.array(permissionName).max(500) }))
    .mutation(async function setPermissions({ ctx, input }) {
      await requireRecentAuth(ctx);
      const user = await userOr404(ctx, input.id);
      const names = [...new Set(input.permissions)].sort();
      if (user.id === ctx.user.id) await refuseSelfLockout(ctx, { permissions: names });
      await setUserPermissions(ctx.db, user.id, names);
      changed(ctx, { type: 'admin.permissions_changed', target: who(user), detail: { permissions: names } }, [user.id]);
      return null;
    }),

  signOutEverywhere: admin(P.changeUser)
    .input(userId)
    .mutation(async function signOutEverywhere({ ctx, input }) {
      await requireRecentAuth(ctx);
      const user = await changeableUser(ctx, input.id);
      const ended = await ctx.auth.invalidateUserSessions(user.id);
      changed(ctx, { type: 'admin.signed_out_everywhere', target: who(user), detail: { sessions: ended.length } }, []);
      return { ended: ended.length };
    }),

  sendPasswordReset: admin(P.changeUser)
    .input(userId)
    .mutation(async function sendPasswordReset({ ctx, input }) {
      await requireRecentAuth(ctx);
      const user = await changeableUser(ctx, input.id);
      if (!user.email) throw new TRPCError({ code: 'BAD_REQUEST', message: adminRefusal(ctx, 'noEmail') });
      if (!user.isActive) throw new TRPCError({ code: 'BAD_REQUEST', message: adminRefusal(ctx, 'inactive') });
      await ctx.auth.requestPasswordReset(user.email);
      changed(ctx, { type: 'admin.password_reset_sent', target: who(user) }, []);
      return null;
    }),

  // A user who lost their authenticator app (and their recovery codes) signs in with their password again.
  resetTwoFactor: admin(P.changeUser)
    .input(userId)
    .mutation(async function resetTwoFactor({ ctx, input }) {
      await requireRecentAuth(ctx);
      const user = await changeableUser(ctx, input.id);
      if (!(await removeTwoFactor(ctx.db, user.id)))
        throw new TRPCError({ code: 'BAD_REQUEST', message: adminRefusal(ctx, 'noTwoFactor') });
      changed(ctx, { type: 'admin.two_factor_reset', target: who(user) }, [user.id]);
      return null;
    }),

  delete: admin(P.deleteUser)
    .input(userId)
    .mutation(async function deleteUser({ ctx, input }) {
      await requireRecentAuth(ctx);
      const user = await changeableUser(ctx, input.id);
      // The last admin right stays: an admin deletes their own account only while another admin remains.
      if (user.id === ctx.user.id && !(await anotherAdminExists(ctx.db, user.id))) {
        throw lockedOut(ctx, 'lastAdmin');
      }
      // The same path as the user's own Delete account: the app's hook, then sessions (tabs signed out at once) and the row.
      await deleteUserEverywhere(ctx.runtime, user.id);
      // The audit row names the target as it was; it outlives the user.
      changed(ctx, { type: 'admin.user_deleted', target: who(user) }, []);
      return null;
    }),
});

const groupsRouter = router({
  list: admin(P.viewGroup).query(async function listGroups({ ctx }) {
    return listGroupsWithCounts(ctx.db);
  }),

  get: admin(P.viewGroup)
    .input(z.object({ id }))
    .query(async function getGroup({ ctx, input }) {
      const group = await groupOr404(ctx, input.id);
      const [permissions, members] = await Promise.all([groupPermissionsOf(ctx.db, group.id), groupMembersOf(ctx.db, group.id)]);
      return { group, permissions, members };
    }),

  create: admin(P.addGroup)
    .input(z.object({ name: groupName }))
    .mutation(async function createGroup({ ctx, input }) {
      await requireRecentAuth(ctx);
      const groupId = await createGroupRow(ctx.db, input.name);
      if (groupId === null) throw validationFailed([{ field: 'name', code: 'unique', message: adminRefusal(ctx, 'groupTaken') }]);
      changed(ctx, { type: 'admin.group_created', target: null, detail: { group: input.name } }, []);
      return { id: groupId };
    }),

  rename: admin(P.changeGroup)
    .input(z.object({ id, name: groupName }))
    .mutation(async function renameGroup({ ctx, input }) {
      await requireRecentAuth(ctx);
      const group = await groupOr404(ctx, input.id);
      if (!(await renameGroupRow(ctx.db, group.id, input.name))) {
        throw validationFailed([{ field: 'name', code: 'unique', message: adminRefusal(ctx, 'groupTaken') }]);
      }
      const members = (await groupMembersOf(ctx.db, group.id)).map((m) => m.id);
      changed(ctx, { type: 'admin.group_renamed', target: null, detail: { group: input.name, from: group.name } }, members);
      return null;
    }),

  delete: admin(P.deleteGroup)
    .input(z.object({ id }))
    .mutation(async function deleteGroup({ ctx, input }) {
      await requireRecentAuth(ctx);
      const group = await groupOr404(ctx, input.id);
      await refuseSelfLockout(ctx, { group: { id: group.id, deleted: true } });
      const members = (await groupMembersOf(ctx.db, group.id)).map((m) => m.id);
      await deleteGroupRow(ctx.db, group.id);
      changed(ctx, { type: 'admin.group_deleted', target: null, detail: { group: group.name } }, members);
      return null;
    }),

  setPermissions: admin(P.changeGroup)
    .input(z.object({ id, permissions: z.array(permissionName).max(500) }))
    .mutation(async function setGroupPermissions_({ ctx, input }) {
      await requireRecentAuth(ctx);
      const group = await groupOr404(ctx, input.id);
      const names = [...new Set(input.permissions)].sort();
      await refuseSelfLockout(ctx, { group: { id: group.id, permissions: names } });
      await setGroupPermissions(ctx.db, group.id, names);
      const members = (await groupMembersOf(ctx.db, group.id)).map((m) => m.id);
      changed(ctx, { type: 'admin.group_permissions_changed', target: null, detail: { group: group.name, permissions: names } }, members);
      return null;
    }),

  setMembers: admin(P.changeGroup)
    .input(z.object({ id, userIds: z.array(id).max(10_000) }))
    .mutation(async function setGroupMembers_({ ctx, input }) {
      await requireRecentAuth(ctx);
      const group = await groupOr404(ctx, input.id);
      const before = (await groupMembersOf(ctx.db, group.id)).map((m) => m.id);
      const after = await existingUserIds(ctx.db, [...new Set(input.userIds)]);
      if (before.includes(ctx.user.id) && !after.includes(ctx.user.id)) {
        const groupIds = (await groupsOfUser(ctx.db, ctx.user.id)).map((g) => g.id).filter((g) => g !== group.id);
        await refuseSelfLockout(ctx, { groupIds });
      }
      await setGroupMembers(ctx.db, group.id, after);
      const members = (await groupMembersOf(ctx.db, group.id)).map((m) => m.username);
      changed(ctx, { type: 'admin.group_members_changed', target: null, detail: { group: group.name, members } }, [...before, ...after]);
      return null;
    }),
});

/**
 * The admin console's procedures (`admin.*`): staff only, each guarded by
 * Django's permission for it (`auth.view_user`, `auth.change_user`,
 * `auth.delete_user`, `auth.view_group`, `auth.add_group`,
 * `auth.change_group`, `auth.delete_group`, `auth.view_auditevent`);
 * superusers pass. Every change reaches the affected users' open tabs and
 * the open admin pages at once, and is audited.
 */
export const adminRouter = router({
  users: usersRouter,
  groups: groupsRouter,

  permissions: admin(P.viewUser).query(async function listAllPermissions({ ctx }) {
    const known = await listPermissions(ctx.db);
    const names = new Set(known.map((p) => p.name));
    // The console's own permissions are grantable before any row names them.
    const builtIn = Object.values(P)
      .filter((name) => !names.has(name))
      .map((name) => ({ name, label: `Can ${name.split('.')[1]!.replace(/_/g, ' ')}` }));
    return [...known, ...builtIn].sort((a, b) => a.name.localeCompare(b.name));
  }),

  audit: admin(P.viewAuditEvent)
    .input(auditInput)
    .query(async function listAudit({ ctx, input }) {
      const { page, pageSize, ...filters } = input;
      const { rows, total } = await listAuditEvents(ctx.db, { ...filters, offset: (page - 1) * pageSize, limit: pageSize });
      return { rows, total, page, pageSize };
    }),
});
