import { availableParallelism } from 'node:os';
import type { StatehouseConfig } from '../config';
import { HashingPool, HashingQueueFull } from './hashing-pool';

export interface PasswordHashing {
  memoryCost: number;
  timeCost: number;
  /** The threads that hash: a server's own (`runtime.hashing`); by default {@link hashingPool}. */
  pool?: HashingPool;
  /**
   * Jobs allowed to wait for a hashing thread (`credentials.hashingQueueMax`);
   * past it, hashing rejects with `HashingQueueFull`. Unset: no bound.
   */
  maxQueued?: number;
}

/**
 * Hashing threads: one per core. They run at the lowest priority (Linux's
 * `SCHED_IDLE`, see `hash-worker.ts`), so the event loop takes a core back
 * from a hash the moment it has work. With one core left out (as before) a
 * 2-core host had one thread: at the default cost (45–60 ms of a core per
 * verify there) it managed 17–20 logins/s, so 20/s queued without end and a
 * login waited 0.4–2 s in line.
 */
export const HASHING_SLOTS = Math.max(1, availableParallelism());

/**
 * The hashing threads' nice value (0 is the event loop's; 19 the lowest
 * priority): what is left where the idle policy cannot be set. At 10 the
 * kernel gives a runnable event loop about nine times a hashing thread's
 * share of a busy core.
 */
export const HASHING_NICE = 10;

/**
 * The hashing threads of code that runs outside a server (the CLI, the seed,
 * scripts). A server hashes on a pool of its own (`runtime.hashing`), which
 * its `stop()` closes. Either way argon2id runs on low-priority threads,
 * never on the event loop; an idle pool keeps no process alive.
 */
export const hashingPool = new HashingPool(HASHING_SLOTS, HASHING_NICE);

/** Hashes with argon2id at the configured cost (never below OWASP's minimum). */
export async function hashPassword(password: string, params: PasswordHashing): Promise<string> {
  const job = { op: 'hash', password, memoryCost: params.memoryCost, timeCost: params.timeCost } as const;
  return (await (params.pool ?? hashingPool).run(job, { maxQueued: params.maxQueued })) as string;
}

/** Marks an account that cannot sign in with a password. */
export const UNUSABLE_PASSWORD = '!';

/** Whether a stored hash can match any password (not `UNUSABLE_PASSWORD`, not malformed). */
export function isUsablePasswordHash(hash: string): boolean {
  return hash.startsWith('$argon2');
}

/**
 * Verifies a password; an unusable or malformed hash is simply `false` (at
 * no cost: see `dummyVerify`). Rejects only with `HashingQueueFull`, past
 * `maxQueued`.
 */
export async function verifyPassword(
  password: string,
  hash: string,
  options: { maxQueued?: number; pool?: HashingPool } = {},
): Promise<boolean> {
  if (!isUsablePasswordHash(hash)) return false;
  try {
    return (await (options.pool ?? hashingPool).run({ op: 'verify', password, hash }, { maxQueued: options.maxQueued })) === true;
  } catch (error) {
    if (error instanceof HashingQueueFull) throw error;
    return false;
  }
}

let dummyHash: Promise<string> | null = null;
let dummyParams = '';

/**
 * Spends the time of one real verify when there is no user to verify against,
 * so an unknown login id and a wrong password take the same time.
 */
export async function dummyVerify(password: string, params: PasswordHashing): Promise<false> {
  const key = `${params.memoryCost}:${params.timeCost}`;
  if (!dummyHash || dummyParams !== key) {
    dummyParams = key;
    // Made once, never refused: a refusal would stay cached. A failure (its
    // pool closed meanwhile) is forgotten, so the next call makes it again.
    const made = hashPassword(crypto.randomUUID(), { memoryCost: params.memoryCost, timeCost: params.timeCost, pool: params.pool });
    made.catch(() => {
      if (dummyHash === made) dummyHash = null;
    });
    dummyHash = made;
  }
  await verifyPassword(password, await dummyHash, { maxQueued: params.maxQueued, pool: params.pool });
  return false;
}

/** The configured hashing cost and queue bound, on `pool` when given (else {@link hashingPool}). */
export function hashingParams(config: StatehouseConfig, pool?: HashingPool): PasswordHashing {
  const params: PasswordHashing = {
    memoryCost: config.password.memoryCost,
    timeCost: config.password.timeCost,
    maxQueued: config.credentials.hashingQueueMax,
  };
  if (pool) params.pool = pool;
  return params;
}
