import type { Subprocess } from 'bun';

/** A message between the bench and one of its child processes. */
export type WorkerMessage = { type: string } & Record<string, unknown>;

/** How long a child may take to answer before the bench gives up on it. */
const DEFAULT_REPLY_TIMEOUT_MS = 120_000;

/**
 * A Bun child process (a bench server or a load client) spoken to over Bun's
 * IPC channel: `send` a message, `next` waits for the next one of a type.
 *
 * @example
 * const server = WorkerProcess.spawn('bench/servers/server-main.ts', ['authed']);
 * const ready = await server.next('ready');
 */
export class WorkerProcess {
  private readonly inbox: WorkerMessage[] = [];
  private waiters: (() => void)[] = [];
  private exitedEarly = false;

  private constructor(
    readonly name: string,
    private readonly proc: Subprocess,
  ) {
    proc.exited.then(() => {
      this.exitedEarly = true;
      this.wakeAll();
    });
  }

  /** Starts `bun <script> ...args` with an IPC channel and the given environment. */
  static spawn(script: string, args: string[] = [], env: Record<string, string> = {}): WorkerProcess {
    let self: WorkerProcess | null = null;
    const pending: WorkerMessage[] = [];
    const proc = Bun.spawn([process.execPath, script, ...args], {
      stdin: 'ignore',
      stdout: 'inherit',
      stderr: 'inherit',
      env: { ...process.env, ...env },
      ipc(message: unknown) {
        const msg = message as WorkerMessage;
        if (self) self.receive(msg);
        else pending.push(msg);
      },
    });
    self = new WorkerProcess(`${script} ${args.join(' ')}`.trim(), proc);
    for (const msg of pending) self.receive(msg);
    return self;
  }

  get pid(): number {
    return this.proc.pid;
  }

  send(message: WorkerMessage): void {
    this.proc.send(message);
  }

  /** The next message of `type` (earlier messages of other types are kept). */
  async next<T extends WorkerMessage = WorkerMessage>(type: string, timeoutMs = DEFAULT_REPLY_TIMEOUT_MS): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (index >= 0) {
        const [msg] = this.inbox.splice(index, 1) as [WorkerMessage];
        if (msg.type === 'error') throw new Error(`${this.name}: ${String(msg.message)}`);
        return msg as T;
      }
      if (this.exitedEarly) throw new Error(`${this.name} exited (code ${this.proc.exitCode}) before sending "${type}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.name}: no "${type}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a request and waits for its reply type. */
  async request<T extends WorkerMessage = WorkerMessage>(message: WorkerMessage, replyType: string, timeoutMs?: number): Promise<T> {
    this.send(message);
    return this.next<T>(replyType, timeoutMs);
  }

  /** Ends the child (SIGTERM, then SIGKILL after a grace period). */
  async stop(graceMs = 3_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.proc.exited;
    clearTimeout(timer);
  }

  /** Ends the child at once (SIGKILL), as a crash would: the kernel closes its sockets. */
  async kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGKILL');
    await this.proc.exited;
  }

  private receive(message: WorkerMessage): void {
    this.inbox.push(message);
    this.wakeAll();
  }

  private wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * The child side: sends a message to the bench over IPC.
 *
 * @example
 * reply({ type: 'ready', port });
 */
export function reply(message: WorkerMessage): void {
  if (!process.send) throw new Error('Not started by the bench (no IPC channel)');
  process.send(message);
}

/** The child side: calls `handle` for every message from the bench; a throw becomes an `error` reply. */
export function onBenchMessage(handle: (message: WorkerMessage) => void | Promise<void>): void {
  process.on('message', (message: unknown) => {
    Promise.resolve()
      .then(() => handle(message as WorkerMessage))
      .catch((error: unknown) =>
        reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
}
