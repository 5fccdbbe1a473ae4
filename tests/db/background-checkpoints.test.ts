import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Checkpointer } from '../../db/checkpointer';
import { openDatabase, type DatabaseHandle } from '../../db/client';
import { createStatehouse } from '../../server';
import { loadConfig } from '../../server/config';
import { router } from '../../server/bridge/trpc';
import { createTempDir } from '../helpers/db';
import { waitFor } from '../helpers/wait-for';

/** Past SQLite's 1,000-page automatic checkpoint with 4 KB pages. */
const ROWS = 1_500;
const BLOB = 'x'.repeat(4_000);

let dir: string;
let handle: DatabaseHandle | null = null;

beforeEach(() => {
  dir = createTempDir('statehouse-checkpoints-');
});

afterEach(async () => {
  await handle?.close();
  handle = null;
  rmSync(dir, { recursive: true, force: true });
});

/** One commit per row, as a server's writes come. */
async function writeRows(db: DatabaseHandle): Promise<void> {
  await db.client.execute('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  for (let i = 0; i < ROWS; i++) await db.client.execute({ sql: 'INSERT INTO filler (body) VALUES (?)', args: [BLOB] });
}

async function autocheckpointPages(db: DatabaseHandle): Promise<number> {
  return Number((await db.client.execute('PRAGMA wal_autocheckpoint')).rows[0]![0]);
}

const fileSize = (name: string) => statSync(join(dir, name)).size;

describe('background checkpoints', () => {
  test('without them, a commit that fills the log copies it into the file (SQLite’s default)', async () => {
    handle = await openDatabase(`file:${join(dir, 'app.db')}`);
    expect(handle.checkpointer).toBeNull();
    expect(await autocheckpointPages(handle)).toBe(1_000);
    await writeRows(handle);
    expect(fileSize('app.db')).toBeGreaterThan(ROWS * BLOB.length * 0.5);
  });

  test('with them, the serving connection only appends to the log, however long it grows', async () => {
    // The thread is up but its first checkpoint is a minute away.
    handle = await openDatabase(`file:${join(dir, 'app.db')}`, undefined, { backgroundCheckpoints: { intervalMs: 60_000 } });
    expect(handle.checkpointer?.running).toBe(true);
    expect(await autocheckpointPages(handle)).toBe(0);
    await writeRows(handle);
    expect(fileSize('app.db-wal')).toBeGreaterThan(ROWS * BLOB.length);
    expect(fileSize('app.db')).toBeLessThan(ROWS * BLOB.length * 0.1);
  });

  test('the thread copies the whole log into the file, and every row reads back', async () => {
    const copied: { walFrames: number; copiedFrames: number }[] = [];
    handle = await openDatabase(`file:${join(dir, 'app.db')}`, undefined, {
      backgroundCheckpoints: { intervalMs: 20, onCheckpoint: (result) => copied.push(result) },
    });
    await writeRows(handle);
    const caughtUp = () => copied.some((c) => c.walFrames > 0 && c.copiedFrames === c.walFrames) && fileSize('app.db') > ROWS * BLOB.length;
    await waitFor(caughtUp, { timeoutMs: 10_000, what: 'a checkpoint that copied the whole log into the file' });
    const count = await handle.client.execute('SELECT count(*) FROM filler');
    expect(Number(count.rows[0]![0])).toBe(ROWS);
  });

  test('if the thread dies, commits checkpoint again and the failure is reported', async () => {
    const failures: Error[] = [];
    const opened = await openDatabase(`file:${join(dir, 'app.db')}`, undefined, {
      backgroundCheckpoints: { intervalMs: 60_000, onFailure: (error) => failures.push(error) },
    });
    handle = opened;
    const checkpointer = opened.checkpointer!;
    // The thread ends without the checkpointer having asked it to.
    // biome-ignore lint/complexity/useLiteralKeys: the thread is private; the test reaches it on purpose
    checkpointer['worker'].postMessage({ type: 'stop' });
    await waitFor(async () => (await autocheckpointPages(opened)) === 1_000, { what: 'commits to checkpoint again' });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toContain('checkpoint thread exited');
    expect(checkpointer.running).toBe(false);
    expect(handle.checkpointer).toBeNull();
    expect(await autocheckpointPages(handle)).toBe(1_000);
    await writeRows(handle);
    expect(fileSize('app.db')).toBeGreaterThan(ROWS * BLOB.length * 0.5);
  });

  test('closing the database stops the thread without reporting a failure', async () => {
    const failures: Error[] = [];
    handle = await openDatabase(`file:${join(dir, 'app.db')}`, undefined, {
      backgroundCheckpoints: { intervalMs: 5, onFailure: (e) => failures.push(e) },
    });
    const checkpointer = handle.checkpointer!;
    await writeRows(handle);
    const closing = handle;
    handle = null;
    // Resolves once the thread has closed its connection and ended.
    await closing.close();
    expect(checkpointer.running).toBe(false);
    expect(failures).toEqual([]);
  });

  test('a checkpoint that fails for good ends the thread and is reported', async () => {
    // Not a database: the thread's first checkpoint fails with SQLITE_NOTADB.
    const path = join(dir, 'not-a-database.db');
    await Bun.write(path, 'x'.repeat(8_192));
    const failures: Error[] = [];
    const checkpointer = await Checkpointer.start(`file:${path}`, { intervalMs: 10, onFailure: (e) => failures.push(e) });
    await waitFor(() => failures.length > 0, { what: 'the failure to be reported' });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.message).toStartWith('Background checkpoint failed:');
    expect(checkpointer.running).toBe(false);
    await checkpointer.stop();
  });

  test('in-memory databases have none: there is no log to copy', async () => {
    handle = await openDatabase(':memory:', undefined, { backgroundCheckpoints: {} });
    expect(handle.checkpointer).toBeNull();
  });

  test('a server started on a database file runs them, and stops them when it stops', async () => {
    const config = loadConfig({ env: 'test', databaseUrl: `file:${join(dir, 'server.db')}`, logLevel: 'silent' }, {});
    const statehouse = await createStatehouse({ router: router({}), config });
    const checkpointer = statehouse.runtime.database.checkpointer;
    await statehouse.listen(0);
    try {
      expect(checkpointer?.running).toBe(true);
      expect(await autocheckpointPages(statehouse.runtime.database)).toBe(0);
    } finally {
      await statehouse.stop();
    }
    expect(checkpointer?.running).toBe(false);
  });
});
