export interface BackoffOptions {
  /** The ceiling of the first retry's delay. @default 500 */
  baseMs?: number;
  /** No delay ever exceeds this. @default 30000 */
  maxMs?: number;
  /** Returns a number in [0, 1). @default Math.random */
  random?: () => number;
}

const DEFAULT_BASE_MS = 500;
const DEFAULT_MAX_MS = 30_000;

/**
 * Exponential backoff with full jitter, shaped for the state client's
 * `retryDelayMs`: attempt `n` waits a random time in
 * `[0, min(maxMs, baseMs * 2^n))`, so tabs dropped by one server restart do
 * not all knock again in the same instant.
 *
 * @example
 * createStateClient({ retryDelayMs: backoffWithJitter({ baseMs: 250 }) });
 * backoffWithJitter({ random: () => 0.5 })(3); // 2000
 */
export function backoffWithJitter(options: BackoffOptions = {}): (attemptIndex: number) => number {
  const { baseMs = DEFAULT_BASE_MS, maxMs = DEFAULT_MAX_MS, random = Math.random } = options;
  return function retryDelayMs(attemptIndex: number): number {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attemptIndex));
    return Math.floor(random() * ceiling);
  };
}
