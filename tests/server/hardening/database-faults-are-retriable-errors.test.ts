import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { openMigratedDatabase, type DatabaseHandle } from '../../../db/client';
import { createStatehouse, loadConfig, type Statehouse } from '../../../server';
import { createSession } from '../../../server/auth/session';
import { createUser } from '../../../server/auth/users';
import { createLogger } from '../../../server/log';
import { createTempDir, TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { dashboard, testRouter } from '../../helpers/server';
import { TestSocket, type RpcReply } from '../../helpers/socket-client';
import { holdWriteLock } from '../../helpers/write-lock';

/** Short, so a blocked write gives up fast (it waits on timers, up to this long). */
const BUSY_TIMEOUT_MS = 100;
const PASSWORD = 'correct horse battery';

let dir: string;
let path: string;
let database: DatabaseHandle;
let statehouse: Statehouse;
let url: string;
let cookie: string;
const lines: string[] = [];

beforeAll(async () => {
  dir = createTempDir('statehouse-faults-');
  path = join(dir, 'faults.db');
  database = await openMigratedDatabase(`file:${path}`, undefined, { busyTimeoutMs: BUSY_TIMEOUT_MS });
  const config = loadConfig({ env: 'test', logLevel: 'info', databaseUrl: `file:${path}`, rateLimit: { ipBurst: 1000 } }, {});
  statehouse = await createStatehouse({
    router: testRouter,
    config,
    slices: [dashboard],
    database,
    log: createLogger('info', (line) => void lines.push(line)),
  });
  url = (await statehouse.listen(0)).url;
  const created = await createUser(database.db, { username: 'alice', password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  const { token } = await createSession(statehouse.runtime.sessions, statehouse.runtime.sessionSettings, { userId: created.value.id });
  cookie = `statehouse_session=${token}`;
});
afterAll(async () => {
  await statehouse.stop();
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectUnavailable(reply: RpcReply) {
  expect(reply.error?.data.code).toBe('SERVICE_UNAVAILABLE');
  expect(reply.error?.message).toContain('retry');
}

/** Retries a write while it answers SERVICE_UNAVAILABLE, as a client would. */
async function retryWrite(ws: TestSocket, key: string, value: string): Promise<RpcReply> {
  let reply: RpcReply;
  for (let attempt = 0; ; attempt++) {
    reply = await ws.call('mutation', 'probe.sessionSet', { key, value });
    if (reply.error?.data.code !== 'SERVICE_UNAVAILABLE' || attempt >= 50) return reply;
    await Bun.sleep(50);
  }
}

async function serverIsUp() {
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  const fresh = await TestSocket.open(url);
  expect((await fresh.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
  await fresh.close();
}

describe('a database locked by another process', () => {
  test('writes fail with a typed SERVICE_UNAVAILABLE and a log line, reads go on, and service resumes when the lock goes', async () => {
    const ws = await TestSocket.open(url, { cookie });
    const anonymous = await TestSocket.open(url);
    const login = await TestSocket.open(url);
    expect((await ws.ok('mutation', 'probe.sessionSet', { key: 'before', value: 'kept' })).data).toBe(true);
    lines.length = 0;

    const lock = await holdWriteLock(path);
    try {
      expectUnavailable(await ws.call('mutation', 'probe.sessionSet', { key: 'during', value: 'lost' }));
      // An anonymous visitor's first write needs a new session row: same answer.
      expectUnavailable(await anonymous.call('mutation', 'probe.sessionSet', { key: 'cart', value: 'apples' }));
      // A login needs a new session row too; the password check itself ran.
      expectUnavailable(await login.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD }));
      // Reads are served meanwhile (WAL readers do not wait for the writer).
      expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
      expect((await ws.ok('query', 'probe.sessionGet', { key: 'before' })).data).toBe('kept');
      await serverIsUp();
    } finally {
      await lock.release();
    }
    const logged = lines.filter((l) => l.includes('database unavailable'));
    expect(logged.some((l) => l.includes('event=probe.sessionSet') && /SQLITE_BUSY|database is locked/.test(l))).toBe(true);
    expect(logged.some((l) => l.includes('event=auth.login'))).toBe(true);
    // The line names the fault, not the failed statement's parameters (ids, hashes, data).
    for (const line of logged) {
      expect(line).not.toContain('params');
      expect(line).not.toContain('lost');
      expect(line).not.toContain(cookie.split('=')[1]!.split('.')[0]!);
    }

    expect((await retryWrite(ws, 'after', 'written')).result).toBeDefined();
    for (let i = 0; i < 5; i++) await ws.ok('mutation', 'probe.sessionSet', { key: `after-${i}`, value: `${i}` });
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'after' })).data).toBe('written');
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'during' })).data).toBeNull();
    // Acknowledged writes are committed: another connection sees them and may write itself.
    const other = createClient({ url: `file:${path}`, timeout: BUSY_TIMEOUT_MS });
    try {
      const seen = await other.execute("SELECT key FROM session_data WHERE key LIKE 'after%' ORDER BY key");
      expect(seen.rows.map((r) => r.key)).toEqual(['after', 'after-0', 'after-1', 'after-2', 'after-3', 'after-4']);
      await other.execute('UPDATE users SET last_login = last_login');
    } finally {
      other.close();
    }
    expect((await login.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD })).result).toBeDefined();
    // The connections opened after the recycle got the same settings as the first.
    expect(Number((await database.client.execute('PRAGMA synchronous')).rows[0]!.synchronous)).toBe(1);
    for (const socket of [ws, anonymous, login]) await socket.close();
  }, 30_000);

  test('the cookie exchange answers 503, not 500, and the ticket survives for a retry', async () => {
    const ws = await TestSocket.open(url);
    const reply = await ws.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    const ticket = (reply.result?.data as { actions: { ticket: string }[] }).actions[0]!.ticket;
    const post = () =>
      fetch(`${url}/auth/session`, {
        method: 'POST',
        headers: { origin: url, 'content-type': 'application/json' },
        body: JSON.stringify({ ticket }),
      });
    const lock = await holdWriteLock(path);
    let during: Response;
    try {
      during = await post();
    } finally {
      await lock.release();
    }
    expect(during.status).toBe(503);
    expect(during.headers.get('set-cookie')).toBeNull();
    expect(await during.text()).not.toContain('SQLITE');
    expect((await post()).status).toBe(204);
    await ws.close();
  }, 30_000);
});

describe('a statement that fails for good', () => {
  test('answers a generic internal error and logs the fault, never the statement’s parameters', async () => {
    const ghost = await createUser(database.db, { username: 'ghost' }, { hashing: TEST_HASHING, rules: TEST_RULES });
    if (!ghost.ok) throw new Error('user');
    const { token, session } = await createSession(statehouse.runtime.sessions, statehouse.runtime.sessionSettings, {
      userId: ghost.value.id,
    });
    const ws = await TestSocket.open(url, { cookie: `statehouse_session=${token}` });
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('ghost');
    lines.length = 0;
    // Deleted behind the app's back while this socket still holds a fresh validation:
    // the write violates the session_data foreign key.
    await database.client.execute({ sql: 'DELETE FROM sessions WHERE id = ?', args: [session.id] });
    const reply = await ws.call('mutation', 'probe.sessionSet', { key: 'private-key', value: 'private value' });
    expect(reply.error?.data.code).toBe('INTERNAL_SERVER_ERROR');
    const told = JSON.stringify(reply);
    for (const secretish of [session.id, 'private value', 'params', 'insert into']) {
      expect(told).not.toContain(secretish);
      expect(lines.join('\n')).not.toContain(secretish === 'insert into' ? 'params:' : secretish);
    }
    expect(lines.some((l) => l.includes('event failed') && l.includes('event=probe.sessionSet') && l.includes('FOREIGN KEY'))).toBe(true);
    await ws.close();
  });
});

describe('a database that turns read-only', () => {
  test('writes fail with SERVICE_UNAVAILABLE (SQLITE_READONLY) and resume once it is writable again', async () => {
    const ws = await TestSocket.open(url, { cookie });
    lines.length = 0;
    // One connection in the pool from here on, so the pragma covers every statement.
    await database.client.reconnect();
    await database.client.execute('PRAGMA query_only = ON');
    try {
      expectUnavailable(await ws.call('mutation', 'probe.sessionSet', { key: 'ro', value: 'lost' }));
      expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
      await serverIsUp();
    } finally {
      await database.client.execute('PRAGMA query_only = OFF');
    }
    expect(lines.some((l) => l.includes('database unavailable') && /READONLY|readonly/.test(l))).toBe(true);
    expect((await retryWrite(ws, 'ro', 'written')).result).toBeDefined();
    await ws.close();
  });
});

describe('a full disk', () => {
  test('writes fail with SERVICE_UNAVAILABLE (SQLITE_FULL) and resume once there is room', async () => {
    const ws = await TestSocket.open(url, { cookie });
    lines.length = 0;
    await database.client.reconnect();
    // The file may not grow by a single page: as good as a full disk for SQLite.
    const pages = Number((await database.client.execute('PRAGMA page_count')).rows[0]![0]);
    await database.client.execute(`PRAGMA max_page_count = ${pages}`);
    let full: RpcReply | null = null;
    try {
      for (let i = 0; i < 500 && !full; i++) {
        const reply = await ws.call('mutation', 'probe.sessionSet', { key: `fill-${i}`, value: 'x'.repeat(1000) });
        if (reply.error) full = reply;
      }
      expect(full).not.toBeNull();
      expectUnavailable(full!);
      expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
      await serverIsUp();
    } finally {
      await database.client.execute('PRAGMA max_page_count = 4294967294');
    }
    expect(lines.some((l) => l.includes('database unavailable') && /SQLITE_FULL|full/.test(l))).toBe(true);
    expect((await retryWrite(ws, 'room', 'again')).result).toBeDefined();
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'room' })).data).toBe('again');
    await ws.close();
  });
});
