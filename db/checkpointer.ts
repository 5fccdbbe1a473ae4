import { Worker } from 'node:worker_threads';

/** What the checkpoint thread reports. */
export type CheckpointerMessage =
  | { type: 'ready' }
  /** One `wal_checkpoint(PASSIVE)`: frames in the log, frames copied into the file so far. */
  | { type: 'checkpoint'; walFrames: number; copiedFrames: number }
  | { type: 'failed'; message: string };

export interface CheckpointerOptions {
  /** Time between checkpoints (a checkpoint with nothing to copy costs next to nothing). */
  intervalMs: number;
  /** Each checkpoint's figures (tests and diagnostics). */
  onCheckpoint?: (result: { walFrames: number; copiedFrames: number }) => void;
  /** The thread stopped on its own: the caller must checkpoint again itself. */
  onFailure: (error: Error) => void;
}

/** How long {@link Checkpointer.stop} waits for a checkpoint under way. */
const STOP_TIMEOUT_MS = 5_000;

/**
 * Copies a WAL-mode database's write-ahead log into the database file on a
 * thread of its own. SQLite otherwise does it inside whichever commit takes
 * the log past 1,000 pages: that commit then copies the pages and syncs the
 * file, a stall of several milliseconds (more on slow disks) on the event
 * loop, felt by every connection. With this running, the serving connection
 * sets `PRAGMA wal_autocheckpoint = 0` and only appends to the log.
 */
export class Checkpointer {
  private stopped = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    options: CheckpointerOptions,
  ) {
    const fail = (error: Error) => {
      if (this.stopped) return;
      this.stopped = true;
      options.onFailure(error);
    };
    worker.on('message', (message: CheckpointerMessage) => {
      if (message.type === 'checkpoint') options.onCheckpoint?.({ walFrames: message.walFrames, copiedFrames: message.copiedFrames });
      else if (message.type === 'failed') fail(new Error(`Background checkpoint failed: ${message.message}`));
    });
    worker.on('error', fail);
    this.exited = new Promise((resolve) => {
      worker.on('exit', (code) => {
        fail(new Error(`The checkpoint thread exited (code ${code})`));
        resolve();
      });
    });
    // Never what keeps a process alive.
    worker.unref();
  }

  /** Starts the thread on its own connection to `url` and waits until it is open. */
  static async start(url: string, options: CheckpointerOptions): Promise<Checkpointer> {
    const worker = new Worker(new URL('./checkpoint-worker.ts', import.meta.url), { workerData: { url, intervalMs: options.intervalMs } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: CheckpointerMessage) => {
        if (message.type !== 'ready') return;
        worker.off('error', reject);
        worker.off('message', onMessage);
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    return new Checkpointer(worker, options);
  }

  /** Whether the thread still runs (false after {@link stop} or a failure). */
  get running(): boolean {
    return !this.stopped;
  }

  /**
   * Asks the thread to end (it closes its connection first) and waits for
   * it, at most a few seconds; no failure is reported for it.
   */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      this.worker.postMessage({ type: 'stop' });
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    // An unref'd timer, cleared as soon as the thread is gone: waiting never keeps the process alive.
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      timer.unref?.();
    });
    await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
  }
}
