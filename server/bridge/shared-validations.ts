import type { SessionValidationResult } from '../auth/session';

/** A validation as shared: its result, and until when connections may keep it. */
export interface SharedValidation {
  result: SessionValidationResult;
  until: number;
}

interface Entry {
  /** The identity generation it was started in (see {@link SharedValidations.identityChanged}). */
  generation: number;
  promise: Promise<SharedValidation>;
  /** Once the query answered. */
  answer: SharedValidation | null;
}

/**
 * Validations of one session token shared by the connections of this
 * process: the tabs of one browser (and the reconnect wave after a restart,
 * ten tabs of a session arriving within a second) read the session once,
 * not once each, and share its user object, so its grants and its auth
 * snapshot are loaded once too. A validation is shared while it runs and
 * then for as long as the first connection's cache keeps it
 * (`session.cacheTtlMs`, see `cacheUntil`): a tab that joins later is
 * served no longer than the first one, so the bound on a session deleted
 * behind the app's back stays what it was.
 *
 * Every identity event (a revocation, a rotation, a changed user; see
 * `bus/apply.ts`) and every reload of an event's identity starts a new
 * generation: validations begun before it are shared no more, so no tab
 * joins an answer older than the change.
 */
export class SharedValidations {
  private readonly byToken = new Map<string, Entry>();
  private generation = 0;

  /**
   * The validation of `token`: the one under way or still fresh at `now`,
   * else a new one from `start`, kept until `until(now)` once answered (the
   * starting connection's cache bound, from when it started).
   */
  validate(
    token: string,
    now: number,
    start: () => Promise<SessionValidationResult>,
    until: (startedAt: number) => number,
  ): Promise<SharedValidation> {
    const held = this.byToken.get(token);
    if (held !== undefined && held.generation === this.generation && (held.answer === null || now < held.answer.until)) {
      return held.promise;
    }
    const entry: Entry = { generation: this.generation, promise: null as unknown as Promise<SharedValidation>, answer: null };
    entry.promise = start().then(
      (result) => (entry.answer = { result, until: until(now) }),
      (cause: unknown) => {
        this.forget(token, entry);
        throw cause;
      },
    );
    this.byToken.set(token, entry);
    return entry.promise;
  }

  /** A session or user changed: nothing validated before is shared any more. */
  identityChanged(): void {
    this.generation++;
    this.byToken.clear();
  }

  /** Drops answers whose period is over; returns how many it dropped. */
  dropStale(now: number): number {
    let dropped = 0;
    for (const [token, entry] of this.byToken) {
      if (entry.answer !== null && now >= entry.answer.until) {
        this.byToken.delete(token);
        dropped++;
      }
    }
    return dropped;
  }

  /** Validations held (for leak checks). */
  get size(): number {
    return this.byToken.size;
  }

  private forget(token: string, entry: Entry): void {
    if (this.byToken.get(token) === entry) this.byToken.delete(token);
  }
}
