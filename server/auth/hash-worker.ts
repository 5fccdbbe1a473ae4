/**
 * The thread that runs argon2id for {@link ./hashing-pool}. It lowers its own
 * scheduling priority first (on Linux a thread's nice value and policy are
 * its own), then hashes and verifies synchronously, one job at a time, on
 * this thread.
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

/** Linux's `SCHED_IDLE` (sched(7)). */
const SCHED_IDLE = 5;

/**
 * Linux: the `SCHED_IDLE` policy for this thread. A nice value only weighs
 * the hash against the event loop: a waking event loop on a core a hashing
 * thread holds could wait for that thread's slice to run out. An idle-policy
 * thread is preempted as soon as a normal thread wakes on its core, so hashing
 * can take every core while nothing else wants one (and waits, in the pool's
 * bounded queue, while the event loop is busy all the time). Any thread may
 * lower itself to it. Elsewhere, or without glibc, the nice value above stays.
 */
function scheduleAsIdle(): void {
  if (process.platform !== 'linux') return;
  try {
    const { dlopen, FFIType, ptr } = require('bun:ffi') as typeof import('bun:ffi');
    const libc = dlopen('libc.so.6', { sched_setscheduler: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
    try {
      // pid 0: the calling thread; the priority of SCHED_IDLE is 0.
      libc.symbols.sched_setscheduler(0, SCHED_IDLE, ptr(new Int32Array(1)));
    } finally {
      libc.close();
    }
  } catch {
    // No glibc (musl, a sandbox): the nice value alone.
  }
}
scheduleAsIdle();

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
