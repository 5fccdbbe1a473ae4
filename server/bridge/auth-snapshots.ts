import type { Database } from '../../db/client';
import { groupNamesOf } from '../auth/permissions';
import type { AuthUser } from '../auth/user';
import type { UserModel } from '../auth/user-model';
import type { AuthSnapshot } from '../state/protocol';

/**
 * The `auth` slice of live users: one frozen snapshot per user object (which
 * lives as long as its validated session), so an event whose user did not
 * change compares one reference. Equal snapshots of one user are one object:
 * each of a user's sessions validates into a user object of its own, and
 * every tab keeps its snapshot while idle. One per server (`runtime.snapshots`).
 */
export class AuthSnapshots {
  private readonly byUser = new WeakMap<AuthUser, AuthSnapshot>();
  /** The latest snapshot of each user id, while a tab or a user object still holds it. */
  private readonly latest = new Map<number | null, WeakRef<AuthSnapshot>>();
  private readonly forgotten = new FinalizationRegistry<number | null>((userId) => {
    if (this.latest.get(userId)?.deref() === undefined) this.latest.delete(userId);
  });

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
    const shared = this.shared(snapshot);
    this.byUser.set(user, shared);
    return shared;
  }

  /** The user's latest snapshot when equal to `fresh`, else `fresh`, kept as the latest. */
  private shared(fresh: AuthSnapshot): AuthSnapshot {
    const held = this.latest.get(fresh.userId)?.deref();
    if (held !== undefined && sameSnapshot(held, fresh)) return held;
    this.latest.set(fresh.userId, new WeakRef(fresh));
    this.forgotten.register(fresh, fresh.userId);
    return fresh;
  }
}

/** Whether two snapshots have the same fields with the same values. */
function sameSnapshot(a: AuthSnapshot, b: AuthSnapshot): boolean {
  return Object.keys(a).length === Object.keys(b).length && snapshotDelta(a, b) === null;
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
