import { TokenBucket } from './token-bucket';

/** The outcome of a rate-limit check: allowed, or how long to wait. */
export type RateDecision = { ok: true } | { ok: false; retryAfter: number };

/** A per-address bucket of its own: its size and its refill per minute. */
export interface IpBudget {
  burst: number;
  perMinute: number;
}

/**
 * Rate limits on credential endpoints. In memory by default; a shared store
 * (Redis) implements the same interface when several processes serve one site.
 */
export interface RateLimiter {
  /**
   * Takes one attempt from the per-IP bucket of `scope` (login, signup,
   * reset, anonymous-session), or from the bucket of another key a scope
   * counts by (`mail-recipient`: an address). The bucket has the limiter's
   * own size unless `budget` gives one (always the same for a scope).
   */
  hitIp(scope: string, ip: string, budget?: IpBudget): Promise<RateDecision>;
  /** Whether a login for this account (a {@link lockoutKey}) may be evaluated now (escalating throttle). */
  checkAccount(key: string): Promise<RateDecision>;
  /** Records a failed login for this account. */
  failAccount(key: string): Promise<void>;
  /** Clears the account's failures after a successful login. */
  clearAccount(key: string): Promise<void>;
  /**
   * Takes the user's one credential-change slot for at most `ttlMs`: returns
   * its release, or `null` while another change of that user holds it.
   */
  claimCredentialChange(userId: number, ttlMs: number): Promise<ReleaseClaim | null>;
}

/** Gives a claimed slot back (a no-op once it has expired or been taken over). */
export type ReleaseClaim = () => Promise<void>;

/**
 * What the per-account lock-out counts under: the account a login id names,
 * whichever of its login fields was typed (so `alice` and `alice@example.com`
 * share one counter); for an id that names no account, the id as typed
 * (trimmed, case folded), so unknown ids are throttled and answered alike.
 *
 * @example
 * const key = lockoutKey(row?.id ?? null, loginId);
 */
export function lockoutKey(userId: number | null, loginId: string): string {
  return userId === null ? `login:${loginId.trim().toLowerCase()}` : `user:${userId}`;
}

export interface MemoryRateLimiterOptions {
  ipBurst: number;
  ipPerMinute: number;
  /** Failures allowed before the throttle starts. */
  accountFreeFailures: number;
  /** First lock-out after the free failures; doubles with each further failure. */
  accountBaseDelayMs?: number;
  /** Longest lock-out. */
  accountMaxDelayMs?: number;
  now?: () => number;
}

interface AccountState {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

/** Forget an account's failures after this long without one. */
const ACCOUNT_MEMORY_MS = 60 * 60 * 1000;
/** Sweep idle buckets at most this often. */
const SWEEP_INTERVAL_MS = 60 * 1000;

/**
 * In-memory token buckets per IP and an escalating per-account throttle:
 * after `accountFreeFailures` failures each further one locks the account
 * for a delay that doubles, up to `accountMaxDelayMs`. Credential-change
 * slots are claims in this process.
 *
 * @example
 * const limiter = createMemoryRateLimiter({ ipBurst: 20, ipPerMinute: 10, accountFreeFailures: 5 });
 * const decision = await limiter.hitIp('login', '203.0.113.7');
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions): RateLimiter {
  const now = options.now ?? (() => performance.now());
  const wall = () => Date.now();
  const base = options.accountBaseDelayMs ?? 1_000;
  const max = options.accountMaxDelayMs ?? 15 * 60 * 1000;
  const buckets = new Map<string, TokenBucket>();
  const accounts = new Map<string, AccountState>();
  /** Credential changes under way: user id → the claim (until when it holds). */
  const changing = new Map<number, { until: number }>();
  let lastSweep = wall();

  const sweep = () => {
    const t = wall();
    if (t - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = t;
    for (const [key, bucket] of buckets) if (bucket.isFull(now())) buckets.delete(key);
    for (const [key, state] of accounts) if (t - state.lastFailure > ACCOUNT_MEMORY_MS) accounts.delete(key);
    for (const [userId, claim] of changing) if (claim.until <= t) changing.delete(userId);
  };
  const accountKey = (key: string) => key.trim().toLowerCase();

  return {
    async hitIp(scope, ip, budget) {
      sweep();
      const key = `${scope}:${ip}`;
      let bucket = buckets.get(key);
      if (!bucket) {
        const { burst, perMinute } = budget ?? { burst: options.ipBurst, perMinute: options.ipPerMinute };
        buckets.set(key, (bucket = new TokenBucket(burst, perMinute / 60, now())));
      }
      if (bucket.take(1, now())) return { ok: true };
      return { ok: false, retryAfter: Math.max(1, bucket.retryAfter(1, now())) };
    },
    async checkAccount(key) {
      const state = accounts.get(accountKey(key));
      const t = wall();
      if (state && state.lockedUntil > t) return { ok: false, retryAfter: Math.ceil((state.lockedUntil - t) / 1000) };
      return { ok: true };
    },
    async failAccount(key) {
      const t = wall();
      const state = accounts.get(accountKey(key)) ?? { failures: 0, lockedUntil: 0, lastFailure: t };
      state.failures += 1;
      state.lastFailure = t;
      const over = state.failures - options.accountFreeFailures;
      if (over > 0) state.lockedUntil = t + Math.min(max, base * 2 ** (over - 1));
      accounts.set(accountKey(key), state);
    },
    async clearAccount(key) {
      accounts.delete(accountKey(key));
    },
    async claimCredentialChange(userId, ttlMs) {
      const t = wall();
      const held = changing.get(userId);
      if (held && held.until > t) return null;
      const claim = { until: t + ttlMs };
      changing.set(userId, claim);
      return async () => {
        if (changing.get(userId) === claim) changing.delete(userId);
      };
    },
  };
}
