import { afterAll, afterEach, beforeAll, beforeEach } from 'bun:test';
import Redis from 'ioredis';
import { openDatabase } from '../../db/client';
import { createLibsqlSessionBackend } from '../../server/auth/libsql-session-backend';
import { createRedisSessionBackend } from '../../server/auth/redis-session-backend';
import type { SessionBackend, SessionBackendName } from '../../server/auth/session-backend';
import { createTestDatabase, type TestDatabase } from './db';
import { HAVE_REDIS, startRedis, type RedisServer } from './redis';

/** Every session backend, Redis only where Debian's redis-server is installed (`.ci/run` installs it). */
export const SESSION_BACKEND_NAMES: readonly SessionBackendName[] = HAVE_REDIS ? ['libsql', 'redis'] : ['libsql'];

/** One test's session backend, on a fresh database (and, for Redis, an empty Redis). */
export interface SessionBackendFixture {
  readonly name: SessionBackendName;
  /** The test's database: users, tickets, reset links (and the libSQL backend's sessions). */
  readonly t: TestDatabase;
  readonly sessions: SessionBackend;
  /** The Redis the backend uses (`null` for libSQL): for config and for looking at what it stores. */
  readonly redisUrl: string | null;
  /** A second backend on the same store, as another process opens it (closed after the test). */
  another(): Promise<SessionBackend>;
  /** Every key and value the backend stores, as text: libSQL's session and data rows, Redis's whole keyspace. */
  storedText(): Promise<string[]>;
}

/**
 * Registers the hooks of a `describe` that runs against one session backend:
 * a fresh database per test and, for Redis, one redis-server per block
 * flushed before each test. Read the fixture's fields inside tests.
 *
 * @example
 * describe.each(SESSION_BACKEND_NAMES)('%s backend', (name) => {
 *   const store = useSessionBackend(name);
 *   test('…', async () => { await createSession(store.sessions, SETTINGS, { userId: null }); });
 * });
 */
export function useSessionBackend(name: SessionBackendName): SessionBackendFixture {
  let redis: RedisServer | null = null;
  let admin: Redis | null = null;
  let t: TestDatabase | null = null;
  let sessions: SessionBackend | null = null;
  const opened: { close(): unknown }[] = [];

  beforeAll(async () => {
    if (name !== 'redis') return;
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await admin?.quit();
    await redis?.stop();
  });
  beforeEach(async () => {
    t = await createTestDatabase();
    if (admin) await admin.flushall();
    sessions = await open();
  });
  afterEach(async () => {
    for (const handle of opened.splice(0).reverse()) await handle.close();
    t?.cleanup();
  });

  async function open(): Promise<SessionBackend> {
    const backend = redis ? await createRedisSessionBackend(redis.url, t!.db) : createLibsqlSessionBackend(t!.db);
    opened.push(backend);
    return backend;
  }

  return {
    name,
    get t() {
      return t!;
    },
    get sessions() {
      return sessions!;
    },
    get redisUrl() {
      return redis?.url ?? null;
    },
    async another() {
      if (redis) return open();
      const other = await openDatabase(t!.url);
      opened.push(other);
      const backend = createLibsqlSessionBackend(other.db);
      opened.push(backend);
      return backend;
    },
    async storedText() {
      if (!admin) {
        const rows = [
          ...(await t!.client.execute('SELECT * FROM sessions')).rows,
          ...(await t!.client.execute('SELECT * FROM session_data')).rows,
        ];
        return rows.flatMap((row) =>
          Object.values(row).map((value) => (value instanceof ArrayBuffer ? Buffer.from(value).toString('latin1') : String(value))),
        );
      }
      const out: string[] = [];
      for (const key of await admin.keys('*')) {
        out.push(key);
        const type = await admin.type(key);
        if (type === 'hash') out.push(...Object.entries(await admin.hgetall(key)).flat());
        else if (type === 'set') out.push(...(await admin.smembers(key)));
        else out.push(type);
      }
      return out;
    },
  };
}
