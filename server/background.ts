import type { Logger } from './log';

/** Work that runs after its caller has answered; failures are logged, never thrown. */
export type BackgroundTask = () => Promise<void>;

/**
 * Resolves on a later turn of the event loop, after the socket events and
 * timers that are due now: a long run of work that awaits only promises
 * (embedded libSQL answers within the call) is one turn, and every other
 * connection waits for all of it; awaiting this between its steps lets them
 * in between.
 */
export function yieldToEvents(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Fire-and-forget work a process owns (mails sent after a reply, …): each
 * task starts on a later turn of the event loop, its failure is logged, and
 * `drain()` waits for every task, also those they start, so `stop()` never
 * closes the database under one and a test can wait for "nothing happened"
 * instead of sleeping.
 *
 * @example
 * runtime.background.later('password reset mail', () => sendMail(...));
 * await runtime.background.drain();
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly log: Logger) {}

  /** Tasks started or waiting to start. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Runs `task` after the current turn: after every promise callback queued
   * now, so after a reply this turn writes (a socket event's reply is
   * written in the same turn as its bridge returns).
   */
  later(label: string, task: BackgroundTask): void {
    if (this.closed) {
      // An event that was still in flight when the server stopped: what it
      // would run needs the database, which is closing.
      this.log.debug(`${label}: not run, the server is stopping`);
      return;
    }
    const run = yieldToEvents()
      .then(task)
      .catch((error: unknown) => this.log.error(`${label} failed`, { error }))
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Resolves once no task is left, including tasks started by tasks. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Drains, and refuses tasks from then on (`stop()`: the database closes next). */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }
}
