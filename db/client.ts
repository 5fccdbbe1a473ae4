import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Checkpointer } from './checkpointer';
import { LockWaitingClient } from './lock-waiting-client';
import * as schema from './schema';

export type Schema = typeof schema;
export type Database = LibSQLDatabase<Schema> & { $client: Client };

export interface DatabaseHandle {
  db: Database;
  client: Client;
  url: string;
  /** The thread copying the write-ahead log into the file, if asked for and still running. */
  checkpointer: Checkpointer | null;
  /** Closes the connection; resolves once the checkpoint thread, if any, has closed its own. */
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = resolve(import.meta.dir, 'migrations');

/** Milliseconds a write waits (on timers, never on the thread) for a locked database before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5_000;

/** SQLite's own default: a commit that takes the log past this many pages checkpoints. */
const INLINE_AUTOCHECKPOINT_PAGES = 1_000;

/**
 * Time between background checkpoints. After a complete one, the next commit
 * starts the log over and syncs its header on the serving connection (about
 * 0.5 ms here): once per interval at most.
 */
const CHECKPOINT_INTERVAL_MS = 1_000;

export interface OpenOptions {
  /**
   * How long a write waits on a lock held by another connection before
   * SQLITE_BUSY, a retriable error (default 5 s). On a `file:` URL it waits
   * on timers, never on the thread (see LockWaitingClient); a libSQL
   * server's client gets it as its timeout.
   */
  busyTimeoutMs?: number;
  /**
   * Local files: copy the write-ahead log into the file on a thread of its
   * own instead of inside whichever commit fills it (a stall of the event
   * loop for a copy and a disk sync). If that thread fails, commits
   * checkpoint again as SQLite does by default, and `onFailure` hears why.
   * Off unless asked for; `createStatehouse` asks.
   */
  backgroundCheckpoints?: {
    intervalMs?: number;
    onFailure?: (error: Error) => void;
    onCheckpoint?: (result: { walFrames: number; copiedFrames: number }) => void;
  };
}

function isLocalFile(url: string): boolean {
  return url.startsWith('file:');
}

function localPath(url: string): string {
  return url.slice('file:'.length).replace(/^\/\/(localhost)?(?=\/)/, '');
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
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  // The embedded driver's own busy timeout would wait on the thread, stalling every connection: none.
  const driver = createClient({ url, authToken, timeout: isLocalFile(url) ? 0 : busyTimeoutMs });
  let autocheckpointPages = INLINE_AUTOCHECKPOINT_PAGES;
  // Per-connection settings (`journal_mode` is the file's). The pool opens one
  // connection while no transactions overlap; a recycle opens a new one.
  const setUp = async () => {
    if (local) await client.execute('PRAGMA synchronous = NORMAL');
    if (local) await client.execute(`PRAGMA wal_autocheckpoint = ${autocheckpointPages}`);
    await client.execute('PRAGMA foreign_keys = ON');
  };
  // Embedded files wait for locks on timers (see LockWaitingClient).
  const client: Client = isLocalFile(url) ? new LockWaitingClient(driver, { maxWaitMs: busyTimeoutMs, setUp: () => setUp() }) : driver;
  if (local) await client.execute('PRAGMA journal_mode = WAL');
  await setUp();
  const handle: DatabaseHandle = {
    db: drizzle(client, { schema }),
    client,
    url,
    checkpointer: null,
    close() {
      const checkpointer = handle.checkpointer;
      handle.checkpointer = null;
      client.close();
      return checkpointer ? checkpointer.stop() : Promise.resolve();
    },
  };
  const background = options.backgroundCheckpoints;
  if (local && background) {
    try {
      handle.checkpointer = await Checkpointer.start(url, {
        intervalMs: background.intervalMs ?? CHECKPOINT_INTERVAL_MS,
        onCheckpoint: background.onCheckpoint,
        onFailure(error) {
          handle.checkpointer = null;
          autocheckpointPages = INLINE_AUTOCHECKPOINT_PAGES;
          if (!client.closed) void client.execute(`PRAGMA wal_autocheckpoint = ${autocheckpointPages}`).catch(() => {});
          background.onFailure?.(error);
        },
      });
      autocheckpointPages = 0;
      await client.execute('PRAGMA wal_autocheckpoint = 0');
    } catch (error) {
      handle.close();
      throw error;
    }
  }
  return handle;
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
