import {
  LibsqlBatchError,
  LibsqlError,
  type Client,
  type InArgs,
  type InStatement,
  type Replicated,
  type ResultSet,
  type Transaction,
  type TransactionMode,
} from '@libsql/client';

/** First wait after a refused lock; each next one doubles, up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 1;
/**
 * Longest wait between two tries. SQLite's own busy handler sleeps up to
 * 100 ms between tries; shorter here, since a try costs a few microseconds
 * and a freed lock should be taken soon after.
 */
const MAX_BACKOFF_MS = 16;

/**
 * Statements run as they come: reads (which in WAL mode never need the
 * write lock), and those that manage their own transaction or cannot run
 * inside one. Everything else (`insert`, `update`, `delete`, `create`, a
 * `with` that may write …) takes the lock first.
 */
const RUN_AS_GIVEN = /^\s*(select|pragma|explain|values|begin|commit|end|rollback|savepoint|release|vacuum|attach|detach)\b/i;

/**
 * Runs `attempt` until it does not fail with SQLITE_BUSY or `deadline`
 * passes, waiting 1, 2, 4 … 16 ms between tries, each with full jitter, so
 * processes refused together do not come back together. `onBusy` runs after
 * each refusal. The last SQLITE_BUSY is thrown once time is up.
 */
async function whileBusy<T>(deadline: number, attempt: () => Promise<T>, onBusy: (error: unknown) => void = () => {}): Promise<T> {
  for (let backoff = FIRST_BACKOFF_MS; ; backoff = Math.min(MAX_BACKOFF_MS, backoff * 2)) {
    try {
      return await attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      onBusy(error);
      const left = deadline - performance.now();
      if (left <= 0) throw error;
      await Bun.sleep(Math.min(left, backoff * (0.5 + Math.random())));
    }
  }
}

/** Whether an error is SQLite's "database is locked" (SQLITE_BUSY and its extended codes). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

export interface LockWaitingClientOptions {
  /**
   * How long a write may wait for another connection's write lock, in its
   * turn and on it, before it fails with SQLITE_BUSY (a retriable error).
   */
  maxWaitMs: number;
  /** Runs again on the connection the pool opens after a recycle (per-connection pragmas). */
  setUp: () => Promise<void>;
}

/**
 * A libSQL client for an embedded database file that never waits for a lock
 * on the thread. The driver it wraps has no busy timeout: a write refused
 * with SQLITE_BUSY comes back at once, and waiting happens here, on timers.
 *
 * - **Writes take the lock first.** `execute` of a statement that writes
 *   and `batch` (drizzle's `db.batch`) run as the driver's
 *   `batch(…, 'write')`: `BEGIN IMMEDIATE`, the statements, `COMMIT`, on one
 *   connection without yielding in between (so no other pooled connection,
 *   without this one's pragmas, is opened meanwhile). While another
 *   connection holds the lock, `BEGIN IMMEDIATE` is refused at once and the
 *   whole batch is tried again after 1, 2, 4 … 16 ms (each jittered), until
 *   `maxWaitMs` has passed; then the last SQLITE_BUSY is thrown. A batch is
 *   applied whole or not at all, and a write that gives up applied nothing.
 *   `transaction('write')` (drizzle's `db.transaction`) waits for its
 *   `BEGIN IMMEDIATE` the same way.
 * - **One write at a time per process, in arrival order.** SQLite admits one
 *   writer anyway; queueing here keeps the writes of one event, and of events
 *   that follow each other, in their order, and only the first in line tries
 *   the lock. Time spent in line counts toward `maxWaitMs`.
 * - **Reads never wait.** `SELECT` and `PRAGMA` run as they come (see
 *   {@link RUN_AS_GIVEN}): in WAL mode a reader never needs the write lock.
 * - **A statement that still hits SQLITE_BUSY** (a read while another
 *   process recovers the log, a migration) is left active by the driver and
 *   keeps its connection in an implicit transaction, so later writes on it
 *   would never be committed: the pool's connections are dropped (fresh ones
 *   open on demand, `setUp` runs for the next) and the call is tried again,
 *   until the bound; in a `deferred` transaction (which the caller must
 *   then roll back and run again) the connections are dropped too, once the
 *   open transactions have ended (dropping them earlier would close the
 *   connection a transaction holds and roll it back). An operation of
 *   another event caught mid-recycle fails with CLIENT_CLOSED, also
 *   retriable. `executeMultiple` is never tried again (the statements
 *   before a refusal are applied already).
 *
 * @example
 * const client = new LockWaitingClient(createClient({ url, timeout: 0 }), { maxWaitMs: 5_000, setUp: async () => {} });
 */
export class LockWaitingClient implements Client {
  /** Settles when the last write in line has finished. */
  private tail: Promise<void> = Promise.resolve();
  /** Writes in line, the one under way included. */
  private inLine = 0;
  /** Interactive transactions open now: a recycle waits for them (it would close their connections). */
  private openTransactions = 0;
  /** A recycle was asked for while transactions were open: it runs when the last one ends. */
  private recycleWhenIdle = false;

  constructor(
    private readonly inner: Client,
    private readonly options: LockWaitingClientOptions,
  ) {}

  get closed(): boolean {
    return this.inner.closed;
  }

  get protocol(): string {
    return this.inner.protocol;
  }

  execute(stmt: InStatement): Promise<ResultSet>;
  execute(sql: string, args?: InArgs): Promise<ResultSet>;
  execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    const stmt: InStatement = typeof stmtOrSql === 'string' ? { sql: stmtOrSql, args: args ?? [] } : stmtOrSql;
    if (RUN_AS_GIVEN.test(typeof stmt === 'string' ? stmt : stmt.sql)) return this.unlocked(() => this.inner.execute(stmt));
    return this.write(async () => (await this.inner.batch([stmt], 'write'))[0]!);
  }

  /** A batch takes the lock first, whatever it holds, unless it says `read` (drizzle's `db.batch` does not). */
  batch(stmts: Array<InStatement | [string, InArgs?]>, mode?: TransactionMode): Promise<ResultSet[]> {
    if (mode === 'read') return this.unlocked(() => this.inner.batch(stmts, mode));
    return this.write(() => this.inner.batch(stmts, 'write'));
  }

  /** Migrations (foreign keys off around their own transaction): tried again as a whole while refused. */
  migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.unlocked(() => this.inner.migrate(stmts));
  }

  /**
   * Statements separated by semicolons, as given (they may open and commit
   * transactions of their own). Never tried again: those before a refusal
   * are applied already. After SQLITE_BUSY the connections are recycled and
   * the error is thrown.
   */
  executeMultiple(sql: string): Promise<void> {
    return this.inner.executeMultiple(sql).catch((error: unknown) => {
      if (isBusy(error)) this.dropConnections();
      throw error;
    });
  }

  /**
   * A `write` transaction (the default, and drizzle's) waits for the lock
   * as a write does, and holds this process's turn until it commits, rolls
   * back or closes. `deferred` and `read` ones start at once; a deferred one
   * that writes while another connection holds the lock fails with
   * SQLITE_BUSY (roll it back and run it again).
   */
  async transaction(mode: TransactionMode = 'write'): Promise<Transaction> {
    const onBusy = () => this.dropConnections();
    if (mode !== 'write') return this.watched(await this.inner.transaction(mode), () => {}, onBusy);
    const deadline = performance.now() + this.options.maxWaitMs;
    const leave = await this.takeTurn(deadline);
    try {
      return this.watched(await this.begin(deadline), leave, onBusy);
    } catch (error) {
      leave();
      throw error;
    }
  }

  /** Counts an open transaction until it ends; the last one to end runs a recycle asked for meanwhile. */
  private watched(inner: Transaction, leave: () => void, onBusy: () => void): WatchedTransaction {
    this.openTransactions++;
    return new WatchedTransaction(
      inner,
      () => {
        leave();
        if (--this.openTransactions === 0 && this.recycleWhenIdle) {
          this.recycleWhenIdle = false;
          this.dropConnections();
        }
      },
      onBusy,
    );
  }

  sync(): Promise<Replicated> {
    return this.inner.sync();
  }

  close(): void {
    this.inner.close();
  }

  reconnect(): void {
    this.inner.reconnect();
  }

  /**
   * Runs `batch` (the driver's `batch(…, 'write')`: `BEGIN IMMEDIATE`, the
   * statements, `COMMIT`, on one connection without yielding) in turn, and
   * again on timers while the lock is refused, until the bound.
   */
  private async write<T>(batch: () => Promise<T>): Promise<T> {
    const deadline = performance.now() + this.options.maxWaitMs;
    const leave = await this.takeTurn(deadline);
    try {
      // SQLITE_BUSY from BEGIN leaves nothing behind (the driver runs it through exec); from
      // a statement (which, holding the lock, has no reason to meet it) it calls for a recycle.
      return await whileBusy(deadline, batch, (error) => {
        if (error instanceof LibsqlBatchError) this.dropConnections();
      });
    } finally {
      leave();
    }
  }

  /**
   * Waits for the writes queued before this one (at most until `deadline`);
   * answers the function that lets the next one go.
   */
  private async takeTurn(deadline: number): Promise<() => void> {
    const previous = this.tail;
    let leave!: () => void;
    this.tail = new Promise<void>((resolve) => {
      leave = () => {
        this.inLine--;
        resolve();
      };
    });
    // Nobody ahead (the usual case): no timer, no race.
    if (++this.inLine === 1) return leave;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), Math.max(0, deadline - performance.now()));
    });
    const outcome = await Promise.race([previous.then(() => 'turn' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') {
      // Those behind wait for those ahead, not for this one.
      void previous.then(leave);
      throw new LibsqlError(`SQLITE_BUSY: database is locked (still in line after ${this.options.maxWaitMs} ms)`, 'SQLITE_BUSY');
    }
    return leave;
  }

  /** `BEGIN IMMEDIATE`, tried again on timers while another connection holds the lock, until `deadline`. */
  private begin(deadline: number): Promise<Transaction> {
    return whileBusy(deadline, () => this.inner.transaction('write'));
  }

  /**
   * What runs without taking the lock first: reads, which in WAL mode meet
   * SQLITE_BUSY only in rare moments (another process recovering the log),
   * and what manages its own transaction. After SQLITE_BUSY the connections
   * are recycled (see the class) and the call is tried again, until the bound.
   */
  private unlocked<T>(run: () => Promise<T>): Promise<T> {
    // The usual case costs one `catch`: the retry loop starts only after a refusal.
    return run().catch((error: unknown) => {
      if (!isBusy(error)) throw error;
      this.dropConnections();
      return whileBusy(performance.now() + this.options.maxWaitMs, run, () => this.dropConnections());
    });
  }

  /**
   * After a statement hit SQLITE_BUSY (see the class): fresh connections,
   * with their settings; while transactions are open, once the last ends.
   */
  private dropConnections(): void {
    if (this.inner.closed) return;
    // Reopening the pool closes the connections transactions hold: theirs would be rolled back.
    if (this.openTransactions > 0) {
      this.recycleWhenIdle = true;
      return;
    }
    // The pool reopens synchronously; the settings go to the connection it opens next.
    void Promise.resolve(this.inner.reconnect())
      .then(this.options.setUp)
      .catch(() => {});
  }
}

/**
 * A transaction of {@link LockWaitingClient}: a write transaction holds the
 * client's turn (the next write of the process goes once it commits, rolls
 * back or closes), and a statement refused with SQLITE_BUSY (a deferred
 * transaction writing while another connection holds the lock) calls
 * `onBusy`: rolling back does not release the statement the driver left
 * active, so the connection must not serve again.
 */
class WatchedTransaction implements Transaction {
  private left = false;

  constructor(
    private readonly inner: Transaction,
    private readonly leave: () => void,
    private readonly onBusy: () => void,
  ) {}

  get closed(): boolean {
    return this.inner.closed;
  }

  execute(stmt: InStatement): Promise<ResultSet> {
    return this.watch(this.inner.execute(stmt));
  }

  batch(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.watch(this.inner.batch(stmts));
  }

  executeMultiple(sql: string): Promise<void> {
    return this.watch(this.inner.executeMultiple(sql));
  }

  async commit(): Promise<void> {
    try {
      await this.watch(this.inner.commit());
    } finally {
      this.done();
    }
  }

  async rollback(): Promise<void> {
    try {
      await this.inner.rollback();
    } finally {
      this.done();
    }
  }

  close(): void {
    try {
      this.inner.close();
    } finally {
      this.done();
    }
  }

  private watch<T>(run: Promise<T>): Promise<T> {
    return run.catch((error: unknown) => {
      if (isBusy(error)) this.onBusy();
      throw error;
    });
  }

  private done(): void {
    if (this.left) return;
    this.left = true;
    this.leave();
  }
}
