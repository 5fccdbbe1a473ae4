import type { Database } from '../../db/client';
import type { AuthUser } from './user';

/** What a user holds: `app.codename` permissions and group names, from one query. */
export interface Grants {
  readonly permissions: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
}

const EMPTY_GRANTS: Grants = Object.freeze({ permissions: new Set<string>(), groups: new Set<string>() });

/** Per live-user-object cache: a user object lives as long as its validated session does. */
const grantsCache = new WeakMap<AuthUser, Promise<Grants>>();
/** The same grants once loaded, so a check on the hot path needs no `await`. */
const loadedGrants = new WeakMap<AuthUser, Grants>();

/** One round trip: direct grants, group grants and group names, tagged by kind. */
const GRANTS_SQL = `SELECT 'p' AS kind, p.app_label || '.' || p.codename AS value
    FROM user_permissions up JOIN permissions p ON p.id = up.permission_id
    WHERE up.user_id = ?1
  UNION
  SELECT 'p', p.app_label || '.' || p.codename
    FROM user_groups ug
    JOIN group_permissions gp ON gp.group_id = ug.group_id
    JOIN permissions p ON p.id = gp.permission_id
    WHERE ug.user_id = ?1
  UNION
  SELECT 'g', g.name FROM user_groups ug JOIN groups g ON g.id = ug.group_id
    WHERE ug.user_id = ?1`;

/** Reads a user's grants from the database (no cache). */
export async function loadGrants(db: Database, userId: number): Promise<Grants> {
  const result = await db.$client.execute({ sql: GRANTS_SQL, args: [userId] });
  const permissions = new Set<string>();
  const groups = new Set<string>();
  for (const row of result.rows) (row.kind === 'p' ? permissions : groups).add(String(row.value));
  return { permissions, groups };
}

/**
 * A user's grants, loaded at most once per live user object. Inactive and
 * anonymous users hold nothing.
 */
export function grantsOf(db: Database, user: AuthUser): Promise<Grants> {
  if (!user.isAuthenticated || user.id === null || !user.isActive) return Promise.resolve(EMPTY_GRANTS);
  let grants = grantsCache.get(user);
  if (!grants) {
    grants = loadGrants(db, user.id);
    grantsCache.set(user, grants);
    grants.then(
      (loaded) => loadedGrants.set(user, loaded),
      () => grantsCache.delete(user),
    );
  }
  return grants;
}

/**
 * Whether the user holds `perm`, when that can be told without a query:
 * anonymous, inactive and superusers always; others once their grants are
 * loaded. `undefined` means ask {@link permissionHeld}.
 */
export function knownPerm(user: AuthUser, perm: string): boolean | undefined {
  if (!user.isAuthenticated || !user.isActive) return false;
  if (user.isSuperuser) return true;
  return loadedGrants.get(user)?.permissions.has(perm);
}

/** Whether `perm` looks like `app_label.codename` (lower case, as Django's are by convention). */
export function isPermissionName(perm: string): boolean {
  return /^[a-z0-9_]+\.[a-z0-9_]+$/.test(perm);
}

/**
 * Django semantics: inactive users have no permissions, active superusers have
 * all of them, everyone else the union of their own and their groups' grants.
 *
 * @example
 * if (await permissionHeld(db, ctx.user, 'notes.delete_note')) { ... }
 */
export async function permissionHeld(db: Database, user: AuthUser, perm: string): Promise<boolean> {
  if (!user.isAuthenticated || !user.isActive) return false;
  if (user.isSuperuser) return true;
  return (await grantsOf(db, user)).permissions.has(perm);
}

/** Whether the user belongs to the named group (active superusers pass). */
export async function groupHeld(db: Database, user: AuthUser, name: string): Promise<boolean> {
  if (!user.isAuthenticated || !user.isActive) return false;
  if (user.isSuperuser) return true;
  return (await grantsOf(db, user)).groups.has(name);
}

/** The user's group names, sorted (for the `auth` snapshot). */
export async function groupNamesOf(db: Database, user: AuthUser): Promise<string[]> {
  return [...(await grantsOf(db, user)).groups].sort();
}

/** Permissions by app label, then codename, as Django's `perms` shows them to templates. */
export type PermissionMap = Readonly<Record<string, Readonly<Record<string, true>>>>;

const EMPTY_PERMISSION_MAP: PermissionMap = Object.freeze({});

/**
 * Every permission the user holds, by app label (`map.notes?.add_note`). An
 * active superuser holds every permission that exists; inactive and
 * anonymous users hold none.
 */
export async function permissionMapOf(db: Database, user: AuthUser): Promise<PermissionMap> {
  if (!user.isAuthenticated || !user.isActive) return EMPTY_PERMISSION_MAP;
  const names = user.isSuperuser ? await allPermissionNames(db) : (await grantsOf(db, user)).permissions;
  const map: Record<string, Record<string, true>> = {};
  for (const name of names) {
    const dot = name.indexOf('.');
    (map[name.slice(0, dot)] ??= {})[name.slice(dot + 1)] = true;
  }
  for (const codenames of Object.values(map)) Object.freeze(codenames);
  return Object.freeze(map);
}

async function allPermissionNames(db: Database): Promise<string[]> {
  const result = await db.$client.execute("SELECT app_label || '.' || codename AS name FROM permissions");
  return result.rows.map((row) => String(row.name));
}
