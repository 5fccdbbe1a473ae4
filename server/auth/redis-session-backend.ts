import Redis from 'ioredis';
import type { Database } from '../../db/client';
import type { SessionRow } from '../../db/schema';
import {
  SessionEndedError,
  type ExpiredSessionsDeleted,
  type SessionBackend,
  type StoredSession,
  type StoredSessionKey,
} from './session-backend';
import { redactUrl } from '../log';
import { RedisScript } from './redis-script';
import { findSessionUser, type SessionUserRow } from './session-user';
import { DEFAULT_USER_MODEL, type UserModel } from './user-model';

export interface RedisSessionBackendOptions {
  /** Key prefix shared by every process of one site (default `statehouse`). */
  prefix?: string;
  /** Hears connection errors (ioredis reconnects by itself). */
  onError?: (error: unknown) => void;
  /** The app's user model: a session's user is read with its fields (Statehouse's own only by default). */
  userModel?: UserModel;
}

/**
 * The keys, as the scripts build them from `ARGV[1]`, the prefix: a session's
 * fields, its data (one hash field per key) and the index of a user's sessions.
 */
const LUA_KEYS = `
local prefix = ARGV[1]
local function sessionKey(id) return prefix .. ':session:' .. id end
local function dataKey(id) return prefix .. ':session-data:' .. id end
local function userKey(uid) return prefix .. ':user-sessions:' .. uid end

-- Deletes a session, its data and its index entry; 1 if it was there.
local function remove(id)
  local key = sessionKey(id)
  local uid = redis.call('HGET', key, 'userId')
  local removed = redis.call('DEL', key)
  redis.call('DEL', dataKey(id))
  if uid and uid ~= '' then redis.call('SREM', userKey(uid), id) end
  return removed
end

-- Stores the session of ARGV[at..]: id, user id or '', expiresAt,
-- absoluteExpiresAt, then its field/value pairs. It expires at expiresAt; a
-- user's index drops members whose session is gone and lives as long as
-- the longest absolute expiry of its sessions.
local function store(at)
  local id, uid, expiresAt, absolute = ARGV[at], ARGV[at + 1], ARGV[at + 2], tonumber(ARGV[at + 3])
  local key = sessionKey(id)
  redis.call('HSET', key, unpack(ARGV, at + 4))
  redis.call('PEXPIREAT', key, expiresAt)
  if uid ~= '' then
    local index = userKey(uid)
    for _, member in ipairs(redis.call('SMEMBERS', index)) do
      if redis.call('EXISTS', sessionKey(member)) == 0 then redis.call('SREM', index, member) end
    end
    redis.call('SADD', index, id)
    local left = redis.call('PTTL', index)
    local time = redis.call('TIME')
    if left < 0 or time[1] * 1000 + math.floor(time[2] / 1000) + left < absolute then
      redis.call('PEXPIREAT', index, absolute)
    end
  end
  return id
end
`;

/** A script of the backend: the key helpers above, then `body`; every key is built from `ARGV[1]`. */
function script(body: string): RedisScript {
  return new RedisScript(`${LUA_KEYS}\n${body}`);
}

/** ARGV: prefix, then a session as `store` reads it. */
const CREATE = script('return store(2)');

/** ARGV: prefix, old id, then the new session as `store` reads it. Its data moves over; the old session goes. */
const ROTATE = script(`
local new = store(3)
local from = dataKey(ARGV[2])
if redis.call('EXISTS', from) == 1 then
  redis.call('COPY', from, dataKey(new), 'REPLACE')
  redis.call('PEXPIREAT', dataKey(new), ARGV[5])
end
remove(ARGV[2])
return new
`);

/** ARGV: prefix, id, lastVerifiedAt, expiresAt. Nothing when the session is gone (never recreated half). */
const RENEW = script(`
local key = sessionKey(ARGV[2])
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('HSET', key, 'lastVerifiedAt', ARGV[3], 'expiresAt', ARGV[4])
redis.call('PEXPIREAT', key, ARGV[4])
redis.call('PEXPIREAT', dataKey(ARGV[2]), ARGV[4])
return 1
`);

/** ARGV: prefix, id, authenticatedAt. Nothing when the session is gone. */
const MARK_AUTHENTICATED = script(`
local key = sessionKey(ARGV[2])
if redis.call('EXISTS', key) == 0 then return 0 end
redis.call('HSET', key, 'authenticatedAt', ARGV[3])
return 1
`);

/** ARGV: prefix, id. */
const DELETE = script('return remove(ARGV[2])');

/** ARGV: prefix, user id, the id to keep or ''. Returns the ids deleted. */
const DELETE_USER_SESSIONS = script(`
local index = userKey(ARGV[2])
local ended = {}
for _, id in ipairs(redis.call('SMEMBERS', index)) do
  if id ~= ARGV[3] then
    if remove(id) == 1 then ended[#ended + 1] = id end
    redis.call('SREM', index, id)
  end
end
return ended
`);

/** ARGV: prefix, session id, key, JSON. 0 when the session is gone: nothing stored. The data expires with its session. */
const WRITE_KEY = script(`
local expiresAt = redis.call('HGET', sessionKey(ARGV[2]), 'expiresAt')
if not expiresAt then return 0 end
local data = dataKey(ARGV[2])
redis.call('HSET', data, ARGV[3], ARGV[4])
redis.call('PEXPIREAT', data, expiresAt)
return 1
`);

/** A session's hash fields and values, as `store` takes them. */
function fieldsOf(row: SessionRow): (string | number)[] {
  return [
    'secretHash',
    row.secretHash.toString('hex'),
    'userId',
    row.userId ?? '',
    'createdAt',
    row.createdAt,
    'lastVerifiedAt',
    row.lastVerifiedAt,
    'expiresAt',
    row.expiresAt,
    'absoluteExpiresAt',
    row.absoluteExpiresAt,
    'userAgent',
    row.userAgent,
    'ip',
    row.ip,
    'authenticatedAt',
    row.authenticatedAt ?? '',
    'signInMethod',
    row.signInMethod,
  ];
}

/** The session row of a hash; `null` for a missing (or not wholly written) one. */
function rowOf(id: string, hash: Record<string, string>): SessionRow | null {
  if (!hash.secretHash || hash.expiresAt === undefined || hash.absoluteExpiresAt === undefined) return null;
  return {
    id,
    secretHash: Buffer.from(hash.secretHash, 'hex'),
    userId: hash.userId ? Number(hash.userId) : null,
    createdAt: Number(hash.createdAt),
    lastVerifiedAt: Number(hash.lastVerifiedAt),
    expiresAt: Number(hash.expiresAt),
    absoluteExpiresAt: Number(hash.absoluteExpiresAt),
    userAgent: hash.userAgent ?? '',
    ip: hash.ip ?? '',
    authenticatedAt: hash.authenticatedAt ? Number(hash.authenticatedAt) : null,
    signInMethod: (hash.signInMethod as SessionRow['signInMethod'] | undefined) ?? 'password',
  };
}

/**
 * Sessions in Redis (`session.backend: 'redis'`), for sites that want them
 * out of the database: each session a hash that expires at its inactivity
 * expiry (moved on renewal, never past the absolute one), its data a hash
 * of its own (one field per key: two tabs writing different keys both land)
 * expiring with it, and a set per user indexing their sessions. Creation,
 * renewal, deletion, a user's sign-out everywhere, rotation and key writes
 * are each one Lua script: atomic. Users stay in libSQL: validation reads
 * the session, then (once the secret matched) its user by id. Redis expires sessions itself, so
 * housekeeping has none to delete. Keys carry session ids, never a token;
 * the hash holds the secret's SHA-256, never the secret. Standalone Redis
 * (or Sentinel) 6.2 or newer; not Redis Cluster (the scripts touch a
 * session's and its user's keys together).
 *
 * @example
 * const sessions = await createRedisSessionBackend('redis://127.0.0.1:6379', database.db);
 */
export async function createRedisSessionBackend(
  url: string,
  db: Database,
  options: RedisSessionBackendOptions = {},
): Promise<SessionBackend> {
  const userModel = options.userModel ?? DEFAULT_USER_MODEL;
  const prefix = options.prefix ?? 'statehouse';
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  redis.on('error', options.onError ?? ((error: unknown) => console.error('session backend (redis):', error)));
  try {
    await redis.connect();
  } catch (error) {
    // No retrying in the background for a server that will not start.
    redis.disconnect();
    throw new Error(`The session backend cannot reach Redis at ${redactUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  const sessionKey = (id: string) => `${prefix}:session:${id}`;
  const dataKey = (id: string) => `${prefix}:session-data:${id}`;
  const userKey = (userId: number) => `${prefix}:user-sessions:${userId}`;
  const stored = (row: SessionRow) => [row.id, row.userId ?? '', row.expiresAt, row.absoluteExpiresAt, ...fieldsOf(row)];

  return {
    name: 'redis',
    userModel,
    async create(row: SessionRow): Promise<void> {
      await CREATE.run(redis, [], [prefix, ...stored(row)]);
    },
    async find(id: string): Promise<StoredSession | null> {
      const session = rowOf(id, await redis.hgetall(sessionKey(id)));
      return session && { session };
    },
    findUser(userId: number): Promise<SessionUserRow | null> {
      return findSessionUser(db, userId, userModel);
    },
    async renew(id: string, lastVerifiedAt: number, expiresAt: number): Promise<void> {
      await RENEW.run(redis, [], [prefix, id, lastVerifiedAt, expiresAt]);
    },
    async markAuthenticated(id: string, at: number): Promise<void> {
      await MARK_AUTHENTICATED.run(redis, [], [prefix, id, at]);
    },
    async delete(id: string): Promise<void> {
      await DELETE.run(redis, [], [prefix, id]);
    },
    async deleteUserSessions(userId: number, except?: string): Promise<string[]> {
      return (await DELETE_USER_SESSIONS.run(redis, [], [prefix, userId, except ?? ''])) as string[];
    },
    async listUserSessions(userId: number): Promise<SessionRow[]> {
      const ids = await redis.smembers(userKey(userId));
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hgetall(sessionKey(id));
      const hashes = (await pipeline.exec()) ?? [];
      const rows: SessionRow[] = [];
      const stale: string[] = [];
      for (const [i, id] of ids.entries()) {
        const [error, hash] = hashes[i] ?? [null, {}];
        if (error) throw error;
        const row = rowOf(id, hash as Record<string, string>);
        if (row) rows.push(row);
        else stale.push(id);
      }
      // Sessions Redis expired leave their id in the index: drop them here.
      if (stale.length > 0) await redis.srem(userKey(userId), ...stale);
      return rows;
    },
    async rotate(oldId: string, row: SessionRow): Promise<void> {
      await ROTATE.run(redis, [], [prefix, oldId, ...stored(row)]);
    },
    async readData(sessionId: string): Promise<readonly StoredSessionKey[]> {
      const hash = await redis.hgetall(dataKey(sessionId));
      return Object.entries(hash).map(([key, value]) => ({ key, value }));
    },
    async writeKey(sessionId: string, key: string, json: string): Promise<void> {
      if ((await WRITE_KEY.run(redis, [], [prefix, sessionId, key, json])) !== 1) throw new SessionEndedError();
    },
    async deleteKey(sessionId: string, key: string): Promise<void> {
      await redis.hdel(dataKey(sessionId), key);
    },
    deleteExpired(): AsyncIterable<ExpiredSessionsDeleted> {
      // Redis deleted them itself when they expired.
      return NOTHING_TO_DELETE;
    },
    async close(): Promise<void> {
      await redis.quit();
    },
  };
}

const NOTHING_TO_DELETE: AsyncIterable<ExpiredSessionsDeleted> = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }),
};
