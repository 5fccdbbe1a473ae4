import { sessionTag } from './session';

/** How long a rotation is remembered: a sibling tab hears of it well within this. */
const REMEMBER_MS = 60_000;
/** Rotations remembered at most; past it the oldest is forgotten first. */
const MAX_REMEMBERED = 10_000;

interface Rotation {
  newSessionId: string;
  userId: number | null;
  until: number;
}

/**
 * Sessions this process rotated in the last minute, old id → new. A sibling
 * tab whose session check runs between a rotation's commit and the
 * `session-rotated` announcement finds its session gone; with this it
 * follows the rotation instead of answering a logout, and `POST
 * /auth/logout` naming a rotated session leaves the browser's newer cookie
 * alone. Marked before the rotation commits, so no check can see the old
 * session gone without also seeing the mark (a check may run between the
 * commit and the code after it), and withdrawn when the rotation fails
 * instead. Per process: a sibling on
 * another process still relies on the announcement.
 */
export class RecentRotations {
  private readonly byOldId = new Map<string, Rotation>();
  private readonly byOldTag = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers that `oldSessionId` is being rotated to a session of `userId` (its id once known). */
  mark(oldSessionId: string, userId: number | null): void {
    this.forgetExpired();
    while (this.byOldId.size >= MAX_REMEMBERED) this.forget(this.byOldId.keys().next().value!);
    this.byOldId.set(oldSessionId, { newSessionId: '', userId, until: this.now() + REMEMBER_MS });
    this.byOldTag.set(sessionTag(oldSessionId), oldSessionId);
  }

  /** The new session's id, once the rotation has committed. */
  completed(oldSessionId: string, newSessionId: string): void {
    const rotation = this.byOldId.get(oldSessionId);
    if (rotation) rotation.newSessionId = newSessionId;
  }

  /**
   * Forgets a {@link mark} whose rotation never committed (its transaction
   * failed): the old session lives on, and nothing should follow it away.
   */
  withdraw(oldSessionId: string): void {
    if (this.byOldId.get(oldSessionId)?.newSessionId === '') this.forget(oldSessionId);
  }

  /** The rotation `sessionId` went through recently, if any (`newSessionId` empty while it commits). */
  of(sessionId: string): { newSessionId: string; userId: number | null } | null {
    const rotation = this.byOldId.get(sessionId);
    return rotation && rotation.until > this.now() ? rotation : null;
  }

  /** Whether the session a logout names by its tag was rotated recently. */
  hasTag(tag: string): boolean {
    const id = this.byOldTag.get(tag);
    return id !== undefined && this.of(id) !== null;
  }

  private forgetExpired(): void {
    const now = this.now();
    // Oldest first (insertion order): stop at the first one still remembered.
    for (const [id, rotation] of this.byOldId) {
      if (rotation.until > now) return;
      this.forget(id);
    }
  }

  private forget(oldSessionId: string): void {
    this.byOldId.delete(oldSessionId);
    this.byOldTag.delete(sessionTag(oldSessionId));
  }
}
