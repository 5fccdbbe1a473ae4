import { availableParallelism } from 'node:os';
import type { StatehouseConfig } from '../config';
import { limitConcurrency } from './concurrency-limit';

export interface PasswordHashing {
  memoryCost: number;
  timeCost: number;
}

/**
 * argon2id runs in Bun's thread pool, one thread per core: a burst of logins
 * would take every core, and the event loop would wait for CPU with every
 * other connection's events. At most one hash per core but one runs at once
 * (at least one), so a core stays free for the event loop.
 */
export const HASHING_SLOTS = Math.max(1, availableParallelism() - 1);
const hashing = limitConcurrency(HASHING_SLOTS);

/** Hashes with argon2id at the configured cost (never below OWASP's minimum). */
export function hashPassword(password: string, params: PasswordHashing): Promise<string> {
  return hashing(() =>
    Bun.password.hash(password, {
      algorithm: 'argon2id',
      memoryCost: params.memoryCost,
      timeCost: params.timeCost,
    }),
  );
}

/** Marks an account that cannot sign in with a password. */
export const UNUSABLE_PASSWORD = '!';

/** Verifies a password; an unusable or malformed hash is simply `false`. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!hash.startsWith('$argon2')) return false;
  try {
    return await hashing(() => Bun.password.verify(password, hash));
  } catch {
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
    dummyHash = hashPassword(crypto.randomUUID(), params);
  }
  await verifyPassword(password, await dummyHash);
  return false;
}

export function hashingParams(config: StatehouseConfig): PasswordHashing {
  return { memoryCost: config.password.memoryCost, timeCost: config.password.timeCost };
}
