import { Worker } from 'node:worker_threads';

/** One argon2id job for a hashing thread. */
export type HashJob =
  | { id: number; op: 'hash'; password: string; memoryCost: number; timeCost: number }
  | { id: number; op: 'verify'; password: string; hash: string };

/** A hashing thread's answer to the job with the same id. */
export type HashReply = { id: number; ok: true; value: string | boolean } | { id: number; ok: false; message: string };

/** A job without its id (the pool numbers them). */
export type HashRequest = HashJob extends infer J ? (J extends HashJob ? Omit<J, 'id'> : never) : never;

/** Options of one job. */
export interface RunOptions {
  /**
   * Refuse the job when it would have to wait behind this many others (it
   * then rejects with {@link HashingQueueFull} at once). Unset: no bound.
   */
  maxQueued?: number;
}

/**
 * A job refused because the queue was at its bound: retriable, after about
 * `retryAfter` seconds. Nothing ran for it.
 */
export class HashingQueueFull extends Error {
  override readonly name = 'HashingQueueFull';
  constructor(readonly retryAfter: number) {
    super('The password hashing queue is full');
  }
}

/** How long a refused caller is told to wait, in seconds. */
const QUEUE_FULL_RETRY_AFTER = 1;

interface Queued {
  job: HashJob;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

interface HashingThread {
  worker: Worker;
  current: Queued | null;
}

/**
 * argon2id on a few worker threads of lowered CPU priority (a higher nice
 * value), so that password hashing never competes on equal terms with the
 * event loop: when the cores are busy, the kernel runs the event loop first
 * and the hash waits. A burst of logins then slows logins, not every other
 * connection's events. Threads start on first use, at most `threads`; jobs
 * beyond that wait in order, as many as the caller's `maxQueued` allows. An
 * idle pool does not keep the process alive.
 */
export class HashingPool {
  private readonly all = new Set<HashingThread>();
  private readonly idle: HashingThread[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly threads: number,
    readonly nice: number,
  ) {
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`A hashing pool needs at least one thread, got ${threads}`);
  }

  /** Threads started and not yet gone. */
  get size(): number {
    return this.all.size;
  }

  /** Jobs waiting for a thread (not those running). */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Runs one job; rejects if its thread fails or the pool is closed, and with
   * {@link HashingQueueFull} when it would wait behind `maxQueued` others.
   */
  run(request: HashRequest, options: RunOptions = {}): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error('The password hashing pool is closed'));
    const { maxQueued } = options;
    // A job waits only when no thread is free (the queue is empty otherwise).
    if (maxQueued !== undefined && this.queue.length >= maxQueued && this.idle.length === 0 && this.all.size >= this.threads) {
      return Promise.reject(new HashingQueueFull(QUEUE_FULL_RETRY_AFTER));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { ...request, id: this.nextId++ } as HashJob, resolve, reject });
      this.pump();
    });
  }

  /** Stops every thread; queued and running jobs are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const failure = new Error('The password hashing pool is closed');
    for (const queued of this.queue.splice(0)) queued.reject(failure);
    const threads = [...this.all];
    this.all.clear();
    this.idle.length = 0;
    for (const thread of threads) {
      thread.current?.reject(failure);
      thread.current = null;
    }
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const thread = this.idle.pop() ?? (this.all.size < this.threads ? this.start() : null);
      if (!thread) return;
      const queued = this.queue.shift()!;
      thread.current = queued;
      // Held only while it works: a pending hash keeps a CLI alive until it answers.
      thread.worker.ref();
      thread.worker.postMessage(queued.job);
    }
  }

  private start(): HashingThread {
    const worker = new Worker(new URL('./hash-worker.ts', import.meta.url), { workerData: { nice: this.nice } });
    const thread: HashingThread = { worker, current: null };
    this.all.add(thread);
    worker.on('message', (reply: HashReply) => {
      const queued = thread.current;
      if (!queued || queued.job.id !== reply.id) return;
      thread.current = null;
      worker.unref();
      this.idle.push(thread);
      if (reply.ok) queued.resolve(reply.value);
      else queued.reject(new Error(reply.message));
      this.pump();
    });
    // A thread that dies fails its job; the next job starts a new one.
    const gone = (error: Error) => {
      if (!this.all.delete(thread)) return;
      const at = this.idle.indexOf(thread);
      if (at >= 0) this.idle.splice(at, 1);
      const queued = thread.current;
      thread.current = null;
      queued?.reject(error);
      this.pump();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`A password hashing thread exited (code ${code})`)));
    return thread;
  }
}
