import type Redis from 'ioredis';
import type { IpBudget, RateDecision, RateLimiter } from './rate-limit';
import { RedisScript } from './redis-script';

export interface RedisRateLimiterOptions {
  ipBurst: number;
  ipPerMinute: number;
  accountFreeFailures: number;
  accountBaseDelayMs?: number;
  accountMaxDelayMs?: number;
  /** Key prefix shared by every process of one site. */
  prefix?: string;
}

/**
 * A token bucket in one atomic script: refill by elapsed time, take one.
 * KEYS[1] bucket; ARGV: capacity, refill per ms, now (ms), ttl (ms).
 * Returns 0 when allowed, else milliseconds until a token is there.
 */
const TAKE_TOKEN = new RedisScript(`
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / rate) end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return wait
`);

/**
 * Records a failed login. KEYS[1] failures counter, KEYS[2] lock key;
 * ARGV: free failures, base delay ms, max delay ms, memory ms.
 */
const FAIL_ACCOUNT = new RedisScript(`
local failures = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local over = failures - tonumber(ARGV[1])
if over > 0 then
  local delay = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ (over - 1))
  redis.call('SET', KEYS[2], '1', 'PX', math.floor(delay))
end
return failures
`);

/** Deletes a claim only if it is still ours. KEYS[1] claim; ARGV[1] our token. */
const RELEASE_CLAIM = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const ACCOUNT_MEMORY_MS = 60 * 60 * 1000;

/**
 * The rate limits of `createMemoryRateLimiter`, kept in Redis so that several
 * processes share one budget: an attacker cannot multiply it by the number
 * of processes. A credential-change claim is a Redis key with an expiry, so
 * one change per user runs at a time across processes.
 *
 * @example
 * const limiter = createRedisRateLimiter(new Redis(url), { ipBurst: 20, ipPerMinute: 10, accountFreeFailures: 5 });
 */
export function createRedisRateLimiter(redis: Redis, options: RedisRateLimiterOptions): RateLimiter & { close(): Promise<void> } {
  const prefix = options.prefix ?? 'statehouse:rl';
  const base = options.accountBaseDelayMs ?? 1_000;
  const max = options.accountMaxDelayMs ?? 15 * 60 * 1000;
  /** A bucket's size, refill per ms, and how long an idle one is kept (until it is full again). */
  const bucketOf = ({ burst, perMinute }: IpBudget) => {
    const perMs = perMinute / 60_000;
    return { burst, perMs, ttl: Math.ceil(burst / perMs) + 1_000 };
  };
  const ipBucket = bucketOf({ burst: options.ipBurst, perMinute: options.ipPerMinute });
  const accountKey = (key: string) => encodeURIComponent(key.trim().toLowerCase());

  return {
    async hitIp(scope, ip, budget): Promise<RateDecision> {
      const { burst, perMs, ttl } = budget ? bucketOf(budget) : ipBucket;
      const wait = Number(await TAKE_TOKEN.run(redis, [`${prefix}:ip:${scope}:${ip}`], [burst, perMs, Date.now(), ttl]));
      return wait === 0 ? { ok: true } : { ok: false, retryAfter: Math.max(1, Math.ceil(wait / 1000)) };
    },
    async checkAccount(account): Promise<RateDecision> {
      const ttl = await redis.pttl(`${prefix}:lock:${accountKey(account)}`);
      return ttl > 0 ? { ok: false, retryAfter: Math.ceil(ttl / 1000) } : { ok: true };
    },
    async failAccount(account) {
      const key = accountKey(account);
      await FAIL_ACCOUNT.run(
        redis,
        [`${prefix}:fail:${key}`, `${prefix}:lock:${key}`],
        [options.accountFreeFailures, base, max, ACCOUNT_MEMORY_MS],
      );
    },
    async clearAccount(account) {
      const key = accountKey(account);
      await redis.del(`${prefix}:fail:${key}`, `${prefix}:lock:${key}`);
    },
    async claimCredentialChange(userId, ttlMs) {
      // SET NX PX: one holder across every process; it expires if its process dies.
      const key = `${prefix}:change:${userId}`;
      const token = crypto.randomUUID();
      if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
      return async () => {
        await RELEASE_CLAIM.run(redis, [key], [token]);
      };
    },
    async close() {
      await redis.quit();
    },
  };
}
