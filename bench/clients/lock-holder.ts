/**
 * Another process holding the write lock of a database file, as a
 * `bun run manage` command or a migration in a long transaction would:
 * `bun bench/clients/lock-holder.ts <database file> <hold ms>`. Says `locked`
 * over IPC once `BEGIN IMMEDIATE` succeeded, commits after `hold ms`, says
 * `released` and exits.
 */
import { Database } from 'bun:sqlite';
import { reply } from '../lib/worker-process';

const [path, hold] = process.argv.slice(2);
if (!path || !hold) throw new Error('usage: lock-holder.ts <database file> <hold ms>');
const db = new Database(path);
db.run('PRAGMA busy_timeout = 10000');
db.run('BEGIN IMMEDIATE');
const lockedAt = performance.now();
reply({ type: 'locked' });
await Bun.sleep(Number(hold));
db.run('COMMIT');
reply({ type: 'released', heldMs: performance.now() - lockedAt });
db.close();
setTimeout(() => process.exit(0), 50);
