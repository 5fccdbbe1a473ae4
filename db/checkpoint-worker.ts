/**
 * The thread behind {@link ./checkpointer}: its own connection to the
 * database file, copying the write-ahead log into the file at a fixed
 * interval, so that the connection serving requests never does.
 *
 * The thread always ends by itself, after closing its connection: ended from
 * outside (`Worker.terminate`) while it holds a libSQL connection, the
 * driver's native side can abort the whole process.
 */
import { createClient } from '@libsql/client';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointerMessage } from './checkpointer';

const { url, intervalMs } = workerData as { url: string; intervalMs: number };
const client = createClient({ url });
let running: Promise<void> | null = null;
let ended = false;

function post(message: CheckpointerMessage): void {
  parentPort!.postMessage(message);
}

/** Stops the timer, lets a checkpoint under way finish, closes the connection, and lets the thread end. */
async function end(): Promise<void> {
  if (ended) return;
  ended = true;
  clearInterval(timer);
  await running;
  client.close();
  parentPort!.close();
}

/** `PRAGMA wal_checkpoint(PASSIVE)`: copies what no reader still needs, and never waits on a lock. */
async function checkpoint(): Promise<void> {
  try {
    const row = (await client.execute('PRAGMA wal_checkpoint(PASSIVE)')).rows[0];
    // Columns: busy (ignored: a PASSIVE checkpoint just copies less), log frames, frames copied.
    post({ type: 'checkpoint', walFrames: Number(row?.[1]), copiedFrames: Number(row?.[2]) });
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    // Another process's checkpoint or a held lock: the next tick tries again.
    if (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) return;
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    queueMicrotask(() => void end());
  }
}

const timer = setInterval(() => {
  if (running || ended) return;
  running = checkpoint().finally(() => {
    running = null;
  });
}, intervalMs);

parentPort!.on('message', (message: { type: string }) => {
  if (message.type === 'stop') void end();
});
post({ type: 'ready' });
