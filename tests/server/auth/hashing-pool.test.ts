import { afterEach, describe, expect, test } from 'bun:test';
import { readdirSync, readFileSync } from 'node:fs';
import { HashingPool, HashingQueueFull } from '../../../server/auth/hashing-pool';
import { hashingPool, HASHING_NICE } from '../../../server/auth/password';
import { TEST_HASHING } from '../../helpers/db';

/** Nice value and scheduling policy of each of this process's threads, from `/proc` (Linux). */
function threadPriorities(): { nice: number; policy: number }[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // Fields after the command name; the nice value is field 19 of stat(5), the policy field 41.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { nice: Number(fields[16]), policy: Number(fields[38]) };
  });
}

function threadNices(): number[] {
  return threadPriorities().map((thread) => thread.nice);
}

/** `SCHED_IDLE` in sched(7). */
const SCHED_IDLE = 5;

describe('HashingPool', () => {
  const pools: HashingPool[] = [];
  const newPool = (threads: number, nice = 5) => {
    const pool = new HashingPool(threads, nice);
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
  });

  test('hashes with argon2id and verifies on its threads', async () => {
    const pool = newPool(1);
    const hash = (await pool.run({ op: 'hash', password: 'pool secret', ...TEST_HASHING })) as string;
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await pool.run({ op: 'verify', password: 'pool secret', hash })).toBe(true);
    expect(await pool.run({ op: 'verify', password: 'pool secret!', hash })).toBe(false);
  });

  test.if(process.platform === 'linux')('its threads run at the lowered priority, the event loop at its own', async () => {
    const pool = newPool(1, 7);
    const before = threadNices().filter((nice) => nice === 7).length;
    await pool.run({ op: 'hash', password: 'x', ...TEST_HASHING });
    // At least the hashing thread; threads it starts itself (the engine's helpers) inherit its nice value.
    expect(threadNices().filter((nice) => nice === 7).length).toBeGreaterThan(before);
    // And the idle policy: the kernel preempts them whenever a normal thread wakes on their core.
    expect(threadPriorities().filter((thread) => thread.nice === 7 && thread.policy === SCHED_IDLE).length).toBeGreaterThan(0);
    // This thread (the event loop) is untouched: the process's own task keeps nice 0 and the normal policy.
    const main = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = main.slice(main.lastIndexOf(')') + 2).split(' ');
    expect(Number(fields[16])).toBe(0);
    expect(Number(fields[38])).toBe(0);
  });

  test('never starts more threads than it has, and answers every job in turn', async () => {
    const pool = newPool(2);
    const jobs = Array.from({ length: 5 }, (_, i) => pool.run({ op: 'hash', password: `p${i}`, ...TEST_HASHING }));
    expect(pool.size).toBe(2);
    const hashes = (await Promise.all(jobs)) as string[];
    expect(new Set(hashes).size).toBe(5);
    for (let i = 0; i < 5; i++) expect(await pool.run({ op: 'verify', password: `p${i}`, hash: hashes[i]! })).toBe(true);
    expect(pool.size).toBe(2);
  });

  test('past its bound a job is refused at once with a typed, retriable error; the queue never grows past it', async () => {
    const pool = newPool(1);
    const outcomes: ('done' | 'refused')[] = [];
    let peak = 0;
    const jobs = Array.from({ length: 6 }, (_, i) => {
      const job = pool.run({ op: 'hash', password: `p${i}`, ...TEST_HASHING }, { maxQueued: 2 }).then(
        () => outcomes.push('done'),
        (error: unknown) => {
          expect(error).toBeInstanceOf(HashingQueueFull);
          expect((error as HashingQueueFull).retryAfter).toBeGreaterThanOrEqual(1);
          outcomes.push('refused');
        },
      );
      peak = Math.max(peak, pool.queued);
      return job;
    });
    await Promise.all(jobs);
    // One on the thread, two waiting; the other three were never queued.
    expect(peak).toBe(2);
    expect(outcomes.filter((o) => o === 'refused')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'done')).toHaveLength(3);
    expect(pool.queued).toBe(0);
    // With room again, jobs run.
    expect(typeof (await pool.run({ op: 'hash', password: 'x', ...TEST_HASHING }, { maxQueued: 0 }))).toBe('string');
  });

  test('a job that fails rejects with its reason; the thread goes on', async () => {
    const pool = newPool(1);
    await expect(pool.run({ op: 'verify', password: 'x', hash: '$argon2id$v=19$garbage' })).rejects.toThrow();
    expect(typeof (await pool.run({ op: 'hash', password: 'x', ...TEST_HASHING }))).toBe('string');
    expect(pool.size).toBe(1);
  });

  test('closing rejects queued and running jobs, and later ones', async () => {
    const pool = newPool(1);
    const outcome = (job: Promise<unknown>) =>
      job.then(
        () => 'answered',
        (error: Error) => error.message,
      );
    const running = outcome(pool.run({ op: 'hash', password: 'a', ...TEST_HASHING }));
    const queued = outcome(pool.run({ op: 'hash', password: 'b', ...TEST_HASHING }));
    await pool.close();
    expect(await running).toContain('closed');
    expect(await queued).toContain('closed');
    await expect(pool.run({ op: 'hash', password: 'c', ...TEST_HASHING })).rejects.toThrow('closed');
    expect(pool.size).toBe(0);
  });

  test('refuses a pool without threads', () => {
    expect(() => new HashingPool(0, 5)).toThrow();
  });

  test('the passwords module hashes on the shared pool, below the event loop', () => {
    expect(hashingPool.nice).toBe(HASHING_NICE);
    expect(HASHING_NICE).toBeGreaterThan(0);
  });
});
