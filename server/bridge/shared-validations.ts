import type { SessionValidationResult } from '../auth/session';
import type { SessionValue } from '../auth/session-data';
import { LANGUAGE_SESSION_KEY } from '../i18n/negotiate';

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
  /** The session's stored language, read once for every tab that subscribes while the validation is shared. */
  language: Promise<SessionValue | undefined> | null;
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
 *
 * The session's stored language, which every tab reads as it subscribes,
 * is shared the same way ({@link SharedValidations.language}): a reconnect
 * wave reads it once per session, not once per tab. A language written on
 * this process, or announced on the bus (`session-language`), is read again.
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
    const entry: Entry = {
      generation: this.generation,
      promise: null as unknown as Promise<SharedValidation>,
      answer: null,
      language: null,
    };
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

  /**
   * The language stored in session `sessionId`, read by `read` once for
   * every connection whose validation of `token` is shared and still fresh
   * at `now` (and names that session); otherwise read unshared.
   */
  language(
    token: string,
    sessionId: string,
    now: number,
    read: () => Promise<SessionValue | undefined>,
  ): Promise<SessionValue | undefined> {
    const held = this.byToken.get(token);
    const answer = held?.answer;
    if (
      held === undefined ||
      held.generation !== this.generation ||
      !answer ||
      now >= answer.until ||
      answer.result.session?.id !== sessionId
    ) {
      return read();
    }
    if (held.language === null) {
      const reading = read();
      held.language = reading;
      // A failed read is not kept: the next tab reads again.
      reading.catch(() => {
        if (held.language === reading) held.language = null;
      });
    }
    return held.language;
  }

  /** Key `key` of session `sessionId` was written on this process (`SessionOwner.written`). */
  keyWritten(sessionId: string, key: string): void {
    if (key === LANGUAGE_SESSION_KEY) this.languageChanged(sessionId);
  }

  /** Session `sessionId`'s language was written: the next tab reads it again. */
  languageChanged(sessionId: string): void {
    for (const entry of this.byToken.values()) {
      if (entry.answer?.result.session?.id === sessionId) entry.language = null;
    }
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
