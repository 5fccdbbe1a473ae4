import type { Database } from '../../db/client';
import { groupNamesOf } from '../auth/permissions';
import type { AuthUser } from '../auth/user';
import type { UserModel } from '../auth/user-model';
import type { AuthSnapshot } from '../state/protocol';

/**
 * The `auth` slice of live users: one frozen snapshot per user object (which
 * lives as long as its validated session), so an event whose user did not
 * change compares one reference. One per server (`runtime.snapshots`).
 */
export class AuthSnapshots {
  private readonly byUser = new WeakMap<AuthUser, AuthSnapshot>();

  constructor(
    private readonly db: Database,
    /** `auth.snapshotIncludeGroups`: snapshots list the user's groups. */
    private readonly includeGroups: boolean,
    /** The app's user model: its `snapshot` fields join Statehouse's. */
    private readonly userModel: UserModel,
  ) {}

  /** The snapshot of `user` when already made, without waiting. */
  known(user: AuthUser): AuthSnapshot | undefined {
    return this.byUser.get(user);
  }

  /** The snapshot of `user` (the same frozen object for the same user object). */
  async of(user: AuthUser): Promise<AuthSnapshot> {
    const known = this.byUser.get(user);
    if (known) return known;
    const own: Record<string, unknown> = {};
    if (user.isAuthenticated) for (const name of this.userModel.snapshotFields) own[name] = user[name as keyof AuthUser] ?? null;
    const snapshot: AuthSnapshot = Object.freeze({
      ...own,
      userId: user.id,
      username: user.username,
      // The address the user gave, theirs or pending: a sign-up answers alike either way.
      email: user.email ?? user.pendingEmail ?? '',
      emailVerified: user.email !== null && user.emailVerified,
      firstName: user.firstName,
      lastName: user.lastName,
      isAuthenticated: user.isAuthenticated,
      isStaff: user.isStaff,
      isSuperuser: user.isSuperuser,
      groupNames: this.includeGroups && user.isAuthenticated ? await groupNamesOf(this.db, user) : [],
    }) as AuthSnapshot;
    this.byUser.set(user, snapshot);
    return snapshot;
  }
}

/**
 * The fields of `next` that differ from `prev`; a field only `prev` has (an
 * app's field of a user who signed out) becomes `null`.
 */
export function snapshotDelta(prev: AuthSnapshot, next: AuthSnapshot): Partial<AuthSnapshot> | null {
  const before = prev as unknown as Record<string, unknown>;
  const after = next as unknown as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(after)) {
    const a = before[key];
    const b = after[key];
    const same = Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b;
    if (!same) (out ??= {})[key] = b;
  }
  for (const key of Object.keys(before)) if (!(key in after) && before[key] !== null) (out ??= {})[key] = null;
  return out as Partial<AuthSnapshot> | null;
}
