import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

/**
 * One Lua script, run by its SHA-1 (`EVALSHA`), sent in full (`EVAL`) only
 * when Redis does not know it yet (a restart, a `SCRIPT FLUSH`). Every Redis
 * script of Statehouse is one of these: the session backend's, the rate
 * limits' and the resume stash's.
 *
 * @example
 * const TAKE = new RedisScript("local v = redis.call('GET', KEYS[1]); redis.call('DEL', KEYS[1]); return v");
 * const value = await TAKE.run(redis, ['statehouse:resume:tab:abc'], []);
 */
export class RedisScript {
  private readonly sha: string;

  constructor(readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /** Runs the script with `keys` (`KEYS`) and `args` (`ARGV`). */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.lua, keys.length, ...keys, ...args);
    }
  }
}
