/**
 * The thread that runs argon2id for {@link ./hashing-pool}. It lowers its own
 * scheduling priority first (on Linux a thread's nice value is its own), then
 * hashes and verifies synchronously, one job at a time, on this thread.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { HashJob, HashReply } from './hashing-pool';

const { nice } = workerData as { nice: number };
try {
  setPriority(0, nice);
} catch {
  // Not allowed here (some sandboxes): hashing still runs off the event loop, at normal priority.
}

function run(job: HashJob): string | boolean {
  if (job.op === 'hash') {
    return Bun.password.hashSync(job.password, { algorithm: 'argon2id', memoryCost: job.memoryCost, timeCost: job.timeCost });
  }
  return Bun.password.verifySync(job.password, job.hash);
}

parentPort!.on('message', (job: HashJob) => {
  let reply: HashReply;
  try {
    reply = { id: job.id, ok: true, value: run(job) };
  } catch (error) {
    reply = { id: job.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
