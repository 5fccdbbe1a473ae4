import type { Client, InArgs, InStatement, Replicated, ResultSet, Transaction, TransactionMode } from '@libsql/client';

/**
 * A libSQL client that recovers from SQLITE_BUSY on an embedded database.
 *
 * The embedded driver leaves a statement that failed with SQLITE_BUSY
 * active: its connection keeps the implicit transaction open, so every later
 * write on that connection is acknowledged yet never committed, and the file
 * stays locked for every other connection. After such a failure this client
 * drops the pool's connections (fresh ones open on demand) and runs
 * `setUp` for the next one (per-connection pragmas); an operation caught
 * mid-flight fails with CLIENT_CLOSED, which callers treat as retriable.
 *
 * It wraps the driver's client and forwards every call, instead of
 * replacing methods on the driver's object.
 *
 * @example
 * const client = new BusyRecyclingClient(createClient({ url }), () => client.execute('PRAGMA foreign_keys = ON').then(() => {}));
 */
export class BusyRecyclingClient implements Client {
  constructor(
    private readonly inner: Client,
    private readonly setUp: () => Promise<void>,
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
    const run = typeof stmtOrSql === 'string' ? this.inner.execute(stmtOrSql, args) : this.inner.execute(stmtOrSql);
    return run.catch((error: unknown) => this.recycle(error));
  }

  batch(stmts: Array<InStatement | [string, InArgs?]>, mode?: TransactionMode): Promise<ResultSet[]> {
    return this.inner.batch(stmts, mode).catch((error: unknown) => this.recycle(error));
  }

  migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    return this.inner.migrate(stmts).catch((error: unknown) => this.recycle(error));
  }

  executeMultiple(sql: string): Promise<void> {
    return this.inner.executeMultiple(sql).catch((error: unknown) => this.recycle(error));
  }

  transaction(mode?: TransactionMode): Promise<Transaction> {
    return this.inner.transaction(mode);
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

  /** Drops the connections after SQLITE_BUSY (see the class), then fails the call as it failed. */
  private recycle(error: unknown): never {
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY') && !this.inner.closed) {
      // The pool reopens synchronously; the settings go to the connection it opens next.
      void Promise.resolve(this.inner.reconnect())
        .then(this.setUp)
        .catch(() => {});
    }
    throw error;
  }
}
