import type { Database } from '../../db/client';
import { groupNamesOf } from '../auth/permissions';
import type { AuthUser } from '../auth/user';
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
  ) {}

  /** The snapshot of `user` when already made, without waiting. */
  known(user: AuthUser): AuthSnapshot | undefined {
    return this.byUser.get(user);
  }

  /** The snapshot of `user` (the same frozen object for the same user object). */
  async of(user: AuthUser): Promise<AuthSnapshot> {
    const known = this.byUser.get(user);
    if (known) return known;
    const snapshot: AuthSnapshot = Object.freeze({
      userId: user.id,
      username: user.username,
      // The address the user gave, theirs or pending: a sign-up answers alike either way.
      email: user.email ?? user.pendingEmail ?? '',
      firstName: user.firstName,
      lastName: user.lastName,
      isAuthenticated: user.isAuthenticated,
      isStaff: user.isStaff,
      isSuperuser: user.isSuperuser,
      groupNames: this.includeGroups && user.isAuthenticated ? await groupNamesOf(this.db, user) : [],
    });
    this.byUser.set(user, snapshot);
    return snapshot;
  }
}

/** The fields of `next` that differ from `prev`. */
export function snapshotDelta(prev: AuthSnapshot, next: AuthSnapshot): Partial<AuthSnapshot> | null {
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(next) as (keyof AuthSnapshot)[]) {
    const a = prev[key];
    const b = next[key];
    const same = Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b;
    if (!same) (out ??= {})[key] = b;
  }
  return out as Partial<AuthSnapshot> | null;
}
