/** Runs async work with at most a fixed number of runs under way; the rest wait their turn in order. */
export type ConcurrencyLimit = <T>(run: () => Promise<T>) => Promise<T>;

/**
 * A limit of `slots` concurrent runs. A finished run hands its slot straight
 * to the next waiter, so the order of arrival is kept.
 *
 * @example
 * const limit = limitConcurrency(1);
 * const hash = await limit(() => Bun.password.hash(password));
 */
export function limitConcurrency(slots: number): ConcurrencyLimit {
  if (!Number.isInteger(slots) || slots < 1) throw new Error(`A concurrency limit needs at least one slot, got ${slots}`);
  let busy = 0;
  const waiting: (() => void)[] = [];
  return async function limited<T>(run: () => Promise<T>): Promise<T> {
    if (busy < slots) busy++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await run();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else busy--;
    }
  };
}
