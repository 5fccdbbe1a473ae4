import Redis from 'ioredis';
import { z } from 'zod';
import { RedisScript } from '../auth/redis-script';
import { sessionTag } from '../auth/session';
import type { ResumeStash, StashedSlices } from '../bridge/resume-stash';
import { SliceTable } from '../bridge/slice-table';
import type { Logger } from '../log';
import { sliceValuesFrom } from '../state/slice-patch';
import type { SliceDefinition } from '../state/slices';

export interface RedisResumeStashOptions {
  /** How long a closed tab's slices wait (`socket.resumeGraceMs`). */
  graceMs: number;
  /** Closed tabs kept at once, every process together (`socket.resumeStashMax`). */
  max: number;
  /** Largest entry, as JSON (`socket.resumeStashEntryMaxBytes`). */
  entryMaxBytes: number;
  /** How long `take` waits for Redis before the tab starts afresh (`socket.resumeTakeTimeoutMs`, default 1 s). */
  takeTimeoutMs?: number;
  /** This process's slices by name: only those are resumed, field by field. */
  slices: ReadonlyMap<string, SliceDefinition>;
  log: Logger;
  /** Key prefix shared by every process of one site. */
  prefix?: string;
}

/**
 * Keeps one entry and makes room. KEYS[1] the index (a sorted set of entry
 * keys, scored in the order they were kept), KEYS[2] that order's counter,
 * KEYS[3] the entry; ARGV: grace ms, most entries, the entry. The oldest
 * entries go first; the index holds the keys of expired entries too, and
 * those are always older than any live one.
 */
const KEEP = new RedisScript(`
local grace = tonumber(ARGV[1])
local order = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[3], ARGV[3], 'PX', grace)
redis.call('ZADD', KEYS[1], order, KEYS[3])
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if over > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[1], over)
  for i = 1, #oldest, 2 do redis.call('DEL', oldest[i]) end
end
redis.call('PEXPIRE', KEYS[1], grace)
redis.call('PEXPIRE', KEYS[2], grace)
return 0
`);

/** Takes one entry out. KEYS[1] the index, KEYS[2] the entry; answers it, or nil. */
const TAKE = new RedisScript(`
local entry = redis.call('GET', KEYS[2])
if entry then redis.call('DEL', KEYS[2]) end
redis.call('ZREM', KEYS[1], KEYS[2])
return entry
`);

/** An entry as stored: the tag of the session it is bound to, and the slices. */
const entrySchema = z.object({
  session: z.string().max(64).nullable(),
  slices: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/**
 * The resume stash in Redis, shared by every process of a site: a tab that
 * closes on one process (a deploy stops it) resumes its slices on whichever
 * it reconnects to, within `graceMs`. Bounded: at most `max` entries (the
 * oldest make room), none larger than `entryMaxBytes`. An entry is bound to
 * the tag of its session (a hash, not the id) and is only given back to a
 * tab of that same session; taking it deletes it either way. Only slices this
 * process declares come back, each field checked against its definition.
 *
 * @example
 * const stash = await createRedisResumeStash('redis://127.0.0.1:6379', { graceMs: 120_000, max: 10_000, entryMaxBytes: 65_536, slices, log });
 */
export async function createRedisResumeStash(url: string, options: RedisResumeStashOptions): Promise<ResumeStash> {
  const { graceMs, max, entryMaxBytes, slices, log } = options;
  const takeTimeoutMs = options.takeTimeoutMs ?? DEFAULT_TAKE_TIMEOUT_MS;
  const prefix = options.prefix ?? 'statehouse:resume';
  const indexKey = `${prefix}:index`;
  const orderKey = `${prefix}:order`;
  const entryKey = (tabId: string) => `${prefix}:tab:${tabId}`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', (error) => log.error('resume stash: redis', { error }));
  await redis.connect();
  /** Entries still being written, by tab: a quick reconnect here waits for its own. */
  const writing = new Map<string, Promise<void>>();
  let closed = false;

  return {
    keep(conn) {
      const tabId = conn.tabId;
      if (closed || !tabId || graceMs <= 0 || max <= 0 || conn.slices.size === 0) return;
      const session = conn.sessionId === null ? null : sessionTag(conn.sessionId);
      const entry = JSON.stringify({ session, slices: Object.fromEntries(conn.slices) });
      const bytes = Buffer.byteLength(entry);
      if (bytes > entryMaxBytes) {
        log.debug('closed tab not kept for resume: its slices are larger than socket.resumeStashEntryMaxBytes', { bytes });
        return;
      }
      const write = KEEP.run(redis, [indexKey, orderKey, entryKey(tabId)], [graceMs, max, entry]).then(
        () => {},
        (error: unknown) => log.warn('resume stash: a closed tab could not be kept', { error }),
      );
      writing.set(tabId, write);
      void write.then(() => {
        if (writing.get(tabId) === write) writing.delete(tabId);
      });
    },

    async take(tabId, sessionId) {
      if (closed) return null;
      let entry: unknown;
      try {
        // A quick reconnect here waits for its own entry's write, then takes it; a stalled Redis stalls neither the tab nor its socket's setup.
        entry = await withinMs(
          takeTimeoutMs,
          (writing.get(tabId) ?? Promise.resolve()).then(() => TAKE.run(redis, [indexKey, entryKey(tabId)], [])),
        );
      } catch (error) {
        log.warn('resume stash: a tab could not be resumed', { error });
        return null;
      }
      if (entry === TIMED_OUT) {
        log.warn('resume stash: Redis did not answer in time; the tab starts afresh', { timeoutMs: takeTimeoutMs });
        return null;
      }
      if (typeof entry !== 'string') return null;
      const stored = entry.length <= entryMaxBytes ? entrySchema.safeParse(parseJson(entry)) : null;
      if (!stored?.success) {
        log.warn('resume stash: a malformed entry was dropped');
        return null;
      }
      if (stored.data.session !== (sessionId === null ? null : sessionTag(sessionId))) return null;
      const resumed: StashedSlices = new SliceTable();
      for (const [name, values] of Object.entries(stored.data.slices)) {
        const def = slices.get(name);
        if (def) resumed.set(name, sliceValuesFrom(def, values));
      }
      return resumed.size > 0 ? resumed : null;
    },

    async close() {
      closed = true;
      await Promise.allSettled([...writing.values()]);
      await redis.quit().catch(() => {});
    },
  };
}

/** How long a reconnecting tab waits for its slices by default. */
const DEFAULT_TAKE_TIMEOUT_MS = 1_000;

const TIMED_OUT: unique symbol = Symbol('timed out');

/** `work`'s answer, or {@link TIMED_OUT} once `ms` have passed first (`work` then runs on, unheard). */
function withinMs<T>(ms: number, work: Promise<T>): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
