import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { like } from 'drizzle-orm';
import { openDatabase, type DatabaseHandle } from '../../../db/client';
import { leases } from '../../../db/schema';
import { isRetriableDatabaseError } from '../../../server/errors';
import { createTestDatabase } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import { TestSocket } from '../../helpers/socket-client';
import { waitFor } from '../../helpers/wait-for';
import { holdWriteLock } from '../../helpers/write-lock';
import { writeRows } from './fixtures/write-rows-work';

/**
 * The server's writes wait for another process's lock on timers (up to this
 * long), never on the thread: the event loop keeps turning meanwhile.
 */
const SERVER_WAIT_MS = 20_000;

let server: TestServer;
let path: string;
let database: DatabaseHandle;
let url: string;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer({}, { database: await createTestDatabase({ busyTimeoutMs: SERVER_WAIT_MS }) });
  path = server.db.path;
  url = server.url;
  database = server.db;
  ({ cookie } = await server.userWithSession('alice'));
});

afterAll(async () => {
  await server.stop();
  server.db.cleanup();
});

/**
 * Waits until a 5 ms timer has fired five times. A driver waiting in its busy
 * timeout would hold this very thread (the server runs in it): none would fire.
 */
async function timersFire(when: string): Promise<void> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  try {
    await waitFor(() => ticks >= 5, { what: `timers to fire ${when}` });
  } finally {
    clearInterval(timer);
  }
}

describe('another process holding the write lock', () => {
  test('read-only events are answered and timers fire while a write waits; the write completes once the lock is released', async () => {
    const ws = await TestSocket.open(url, { cookie });
    expect((await ws.ok('mutation', 'probe.sessionSet', { key: 'before', value: 'kept' })).data).toBe(true);
    const lock = await holdWriteLock(path);
    let released = false;
    try {
      // Sent first on this socket: the server takes it up before the reads below.
      const write = ws.call('mutation', 'probe.sessionSet', { key: 'waited', value: 'written' }).then((reply) => ({ reply, released }));
      await timersFire('while the write waits');
      expect((await ws.ok('query', 'probe.sessionGet', { key: 'before' })).data).toBe('kept');
      expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
      const anonymous = await TestSocket.open(url);
      expect((await anonymous.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
      await anonymous.close();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      released = true;
      await lock.release();
      const outcome = await write;
      expect(outcome.reply.result).toBeDefined();
      // Answered only after the lock went: it waited, it did not fail.
      expect(outcome.released).toBe(true);
    } finally {
      if (!released) await lock.release();
    }
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'waited' })).data).toBe('written');
    await ws.close();
  }, 30_000);

  test('a drizzle transaction waits for the lock the same way, and a write sent after it goes after it', async () => {
    const lock = await holdWriteLock(path);
    let released = false;
    const order: string[] = [];
    try {
      const transaction = database.db.transaction(async (tx) => {
        await tx.insert(leases).values({ name: 'tx-first', holder: 'test', expiresAt: 1 });
        await tx.insert(leases).values({ name: 'tx-second', holder: 'test', expiresAt: 1 });
        order.push('transaction');
      });
      const after = database.db
        .insert(leases)
        .values({ name: 'tx-after', holder: 'test', expiresAt: 1 })
        .then(() => order.push('after'));
      await timersFire('while the transaction waits');
      expect(order).toEqual([]);
      released = true;
      await lock.release();
      await Promise.all([transaction, after]);
    } finally {
      if (!released) await lock.release();
    }
    expect(order).toEqual(['transaction', 'after']);
    const names = (await database.db.select().from(leases).where(like(leases.name, 'tx-%'))).map((r) => r.name).sort();
    expect(names).toEqual(['tx-after', 'tx-first', 'tx-second']);
  }, 30_000);

  test('a deferred transaction refused mid-way is rolled back, and the writes after it are really committed', async () => {
    const lock = await holdWriteLock(path);
    let failure: unknown = null;
    try {
      const tx = await database.client.transaction('deferred');
      try {
        await tx.execute("INSERT INTO leases (name, holder, expires_at) VALUES ('deferred', 'test', 1)");
      } catch (error) {
        failure = error;
        await tx.rollback();
      } finally {
        tx.close();
      }
    } finally {
      await lock.release();
    }
    expect(isRetriableDatabaseError(failure)).toBe(true);
    await database.db.insert(leases).values({ name: 'after-deferred', holder: 'test', expiresAt: 1 });
    // Seen from another connection: committed, not kept in a transaction the refused statement left open.
    const other = await openDatabase(`file:${path}`);
    try {
      const names = (await other.db.select().from(leases).where(like(leases.name, '%deferred'))).map((r) => r.name);
      expect(names).toEqual(['after-deferred']);
    } finally {
      await other.close();
    }
  }, 30_000);

  test('a deferred transaction refused by this process’s own open write transaction leaves that one to commit', async () => {
    const writer = await database.client.transaction('write');
    await writer.execute("INSERT INTO leases (name, holder, expires_at) VALUES ('kept-1', 'test', 1)");
    const deferred = await database.client.transaction('deferred');
    let failure: unknown = null;
    try {
      await deferred.execute("INSERT INTO leases (name, holder, expires_at) VALUES ('refused', 'test', 1)");
    } catch (error) {
      failure = error;
      await deferred.rollback();
    } finally {
      deferred.close();
    }
    expect(isRetriableDatabaseError(failure)).toBe(true);
    // The write transaction's connection was not recycled under it.
    await writer.execute("INSERT INTO leases (name, holder, expires_at) VALUES ('kept-2', 'test', 1)");
    await writer.commit();
    writer.close();
    await database.db.insert(leases).values({ name: 'kept-3', holder: 'test', expiresAt: 1 });
    const other = await openDatabase(`file:${path}`);
    try {
      const names = (await other.db.select().from(leases).where(like(leases.name, 'kept-%'))).map((r) => r.name).sort();
      expect(names).toEqual(['kept-1', 'kept-2', 'kept-3']);
    } finally {
      await other.close();
    }
  }, 30_000);

  test('a write that waits past its bound fails with the retriable error and has written nothing', async () => {
    const bound = 300;
    const impatient = await openDatabase(`file:${path}`, undefined, { busyTimeoutMs: bound });
    const pair = () =>
      [
        impatient.db.insert(leases).values({ name: 'pair-a', holder: 'test', expiresAt: 1 }),
        impatient.db.insert(leases).values({ name: 'pair-b', holder: 'test', expiresAt: 1 }),
      ] as const;
    try {
      const lock = await holdWriteLock(path);
      let failure: unknown = null;
      const started = performance.now();
      try {
        await impatient.db.batch(pair()).catch((error: unknown) => {
          failure = error;
        });
      } finally {
        await lock.release();
      }
      expect(performance.now() - started).toBeGreaterThanOrEqual(bound);
      expect(failure).not.toBeNull();
      // What the bridge answers as SERVICE_UNAVAILABLE ("please retry").
      expect(isRetriableDatabaseError(failure)).toBe(true);
      expect(await database.db.select().from(leases).where(like(leases.name, 'pair-%'))).toEqual([]);

      // Sent again once the lock is free, the batch lands whole.
      await impatient.db.batch(pair());
      expect((await database.db.select().from(leases).where(like(leases.name, 'pair-%'))).map((r) => r.name).sort()).toEqual([
        'pair-a',
        'pair-b',
      ]);
    } finally {
      await impatient.close();
    }
  }, 30_000);
});

describe('two processes writing one file at once', () => {
  test('every acknowledged write of either is in the file, and every batch whole', async () => {
    const count = 200;
    const other = Bun.spawn(['bun', resolve(import.meta.dir, 'fixtures/write-rows.ts'), path, 'other', String(count)], {
      stdout: 'pipe',
      stderr: 'inherit',
    });
    const [mine, theirs] = await Promise.all([
      writeRows(`file:${path}`, 'mine', count),
      new Response(other.stdout).text().then((out) => JSON.parse(out) as string[]),
    ]);
    expect(await other.exited).toBe(0);
    // Half single inserts, half batches of two rows.
    expect(mine).toHaveLength(count * 1.5);
    expect(theirs).toHaveLength(count * 1.5);
    const stored = new Set(
      (await database.db.select({ name: leases.name }).from(leases))
        .map((r) => r.name)
        .filter((name) => name.startsWith('mine-') || name.startsWith('other-')),
    );
    expect([...mine, ...theirs].filter((name) => !stored.has(name))).toEqual([]);
    expect(stored.size).toBe(count * 3);
  }, 60_000);
});
