/**
 * The thread behind {@link ./checkpointer}: its own connection to the
 * database file, copying the write-ahead log into the file at a fixed
 * interval, so that the connection serving requests never does.
 */
import { createClient } from '@libsql/client';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointerMessage } from './checkpointer';

const { url, intervalMs } = workerData as { url: string; intervalMs: number };
const client = createClient({ url });

function post(message: CheckpointerMessage): void {
  parentPort!.postMessage(message);
}

/** `PRAGMA wal_checkpoint(PASSIVE)`: copies what no reader still needs, and never waits on a lock. */
async function checkpoint(): Promise<void> {
  try {
    const row = (await client.execute('PRAGMA wal_checkpoint(PASSIVE)')).rows[0];
    post({ type: 'checkpoint', busy: Number(row?.[0]), walFrames: Number(row?.[1]), copiedFrames: Number(row?.[2]) });
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    // Another process's checkpoint or a held lock: the next tick tries again.
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) return;
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

let running = false;
setInterval(() => {
  if (running) return;
  running = true;
  void checkpoint().finally(() => {
    running = false;
  });
}, intervalMs);
post({ type: 'ready' });
