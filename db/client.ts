import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as schema from './schema';

export type Schema = typeof schema;
export type Database = LibSQLDatabase<Schema> & { $client: Client };

export interface DatabaseHandle {
  db: Database;
  client: Client;
  url: string;
  close(): void;
}

export const MIGRATIONS_FOLDER = resolve(import.meta.dir, 'migrations');

/** Milliseconds a connection waits on a locked database before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

export interface OpenOptions {
  /**
   * How long a write waits on a lock held by another connection before
   * SQLITE_BUSY (default 5 s). The embedded driver waits synchronously, so
   * the whole process stalls for up to this long per blocked statement.
   */
  busyTimeoutMs?: number;
}

function isLocalFile(url: string): boolean {
  return url.startsWith('file:');
}

function localPath(url: string): string {
  return url.slice('file:'.length).replace(/^\/\/(localhost)?(?=\/)/, '');
}

/**
 * The embedded libSQL driver leaves a statement that failed with SQLITE_BUSY
 * active: its connection keeps the implicit transaction open, so every later
 * write on that connection is acknowledged yet never committed, and the file
 * stays locked for every other connection. After such a failure the pool's
 * connections are dropped (fresh ones open on demand); an operation caught
 * mid-flight fails with CLIENT_CLOSED, which callers treat as retriable.
 */
function recycleConnectionsOnBusy(client: Client, setUp: () => Promise<void>): void {
  const recycle = (error: unknown): never => {
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY') && !client.closed) {
      // The pool reopens synchronously; the settings go to the connection it opens next.
      void Promise.resolve(client.reconnect()).then(setUp).catch(() => {});
    }
    throw error;
  };
  for (const method of ['execute', 'batch', 'executeMultiple', 'migrate'] as const) {
    const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => original(...args).catch(recycle);
  }
}

/**
 * Opens a libSQL database. A `file:` URL gets its folder created and is put
 * in WAL mode; `:memory:`, `libsql://` and `http(s)://` URLs are used as given.
 *
 * @example
 * const { db, close } = await openDatabase('file:data/statehouse.db');
 */
export async function openDatabase(url: string, authToken?: string, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const local = isLocalFile(url) && !url.includes(':memory:');
  if (local) mkdirSync(dirname(resolve(localPath(url))), { recursive: true });
  const client = createClient({ url, authToken, timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS });
  // Per-connection settings (`journal_mode` is the file's). The pool opens one
  // connection while no transactions overlap; a recycle opens a new one.
  const setUp = async () => {
    if (local) await client.execute('PRAGMA synchronous = NORMAL');
    await client.execute('PRAGMA foreign_keys = ON');
  };
  if (isLocalFile(url)) recycleConnectionsOnBusy(client, setUp);
  if (local) await client.execute('PRAGMA journal_mode = WAL');
  await setUp();
  const db = drizzle(client, { schema });
  return { db, client, url, close: () => client.close() };
}

/** Attempts before a migration that keeps losing races gives up. */
const MIGRATE_ATTEMPTS = 8;

/**
 * Applies every pending drizzle-kit migration. Safe to call on each start,
 * and from several processes starting together: the migrations run in one
 * transaction, so a process that loses the race rolls back entirely, waits,
 * and finds them applied on its next attempt.
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
      return;
    } catch (error) {
      if (attempt >= MIGRATE_ATTEMPTS) throw error;
      await Bun.sleep(50 * attempt + Math.random() * 100);
    }
  }
}

/** Opens and migrates: what a server start or a CLI command needs. */
export async function openMigratedDatabase(
  url: string,
  authToken?: string,
  options: OpenOptions & { migrate?: boolean } = {},
): Promise<DatabaseHandle> {
  const handle = await openDatabase(url, authToken, options);
  try {
    if (options.migrate !== false) await migrateDatabase(handle);
  } catch (error) {
    handle.close();
    throw error;
  }
  return handle;
}
