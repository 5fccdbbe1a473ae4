import { afterAll, afterEach, beforeAll, describe, expect, spyOn, test } from 'bun:test';
import Redis from 'ioredis';
import type { HashRequest } from '../../../server/auth/hashing-pool';
import { issuePasswordResetToken } from '../../../server/auth/password-reset';
import { createMemoryRateLimiter, type RateLimiter } from '../../../server/auth/rate-limit';
import { createRedisRateLimiter } from '../../../server/auth/redis-rate-limit';
import { HOUR } from '../../../server/config';
import type { StatehouseConfigInput } from '../../../server';
import { createTestUser } from '../../helpers/db';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { RpcReply, TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

let server: TestServer | null = null;
const sockets: TestSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) await ws.close();
  await server?.stop();
  server = null;
});

async function start(config: StatehouseConfigInput = {}, limiter?: RateLimiter): Promise<TestServer> {
  server = await startTestServer({ trustedProxies: ['127.0.0.1'], ...config }, { limiter });
  return server;
}

async function makeUser(username: string): Promise<number> {
  return (await createTestUser(server!.db.db, { username, email: `${username}@example.com`, password: PASSWORD })).id;
}

async function from(address: string): Promise<TestSocket> {
  const ws = await server!.open({ headers: { 'x-forwarded-for': address } });
  sockets.push(ws);
  return ws;
}

async function signedIn(username: string, address: string): Promise<TestSocket> {
  const ws = await from(address);
  await ws.ok('mutation', 'auth.login', { loginId: username, password: PASSWORD });
  return ws;
}

function change(ws: TestSocket, current = PASSWORD, next = NEW_PASSWORD): Promise<RpcReply> {
  return ws.call('mutation', 'auth.changePassword', { currentPassword: current, newPassword: next, confirmPassword: next });
}

/**
 * Watches the hashing pool while `run` runs: the jobs handed to it, and the
 * longest its queue of waiting jobs got (read right after each job came in).
 */
async function watchHashing<T>(run: () => Promise<T>): Promise<{ result: T; jobs: HashRequest[]; peakQueued: number }> {
  const original = server!.statehouse.runtime.hashing.run.bind(server!.statehouse.runtime.hashing);
  const jobs: HashRequest[] = [];
  let peakQueued = 0;
  const spy = spyOn(server!.statehouse.runtime.hashing, 'run').mockImplementation((request, options) => {
    jobs.push(request);
    const pending = original(request, options);
    peakQueued = Math.max(peakQueued, server!.statehouse.runtime.hashing.queued);
    return pending;
  });
  try {
    return { result: await run(), jobs, peakQueued };
  } finally {
    spy.mockRestore();
  }
}

const codes = (replies: RpcReply[]) => replies.map((r) => r.error?.data.code ?? 'OK');

describe('one credential change per user at a time', () => {
  test('a burst of 20 correct changes from one account: one runs, the rest are refused before any hashing', async () => {
    await start({ rateLimit: { ipBurst: 100 } });
    await makeUser('alice');
    await makeUser('bob');
    const alice = await signedIn('alice', '203.0.113.1');
    const bob = await from('198.51.100.9');
    const { result, jobs } = await watchHashing(() =>
      Promise.all([
        Promise.all(Array.from({ length: 20 }, () => change(alice))),
        bob.call('mutation', 'auth.login', { loginId: 'bob', password: PASSWORD }),
      ]),
    );
    const [burst, bobLogin] = result;
    expect(codes(burst).filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes(burst).filter((c) => c === 'TOO_MANY_REQUESTS')).toHaveLength(19);
    for (const refused of burst.filter((r) => r.error)) expect(refused.error!.data.statehouse.retryAfter).toBeGreaterThanOrEqual(1);
    // One verify and one hash for the change that ran, one verify for Bob's login.
    expect(jobs.filter((j) => j.op === 'verify')).toHaveLength(2);
    expect(jobs.filter((j) => j.op === 'hash')).toHaveLength(1);
    // Another user's login was hashed and went through.
    expect(bobLogin.result).toBeDefined();
    // Once the change is done, the account can change again.
    expect(codes([await change(alice, NEW_PASSWORD, 'yet another passphrase')])).toEqual(['OK']);
  });

  test('a reset confirmation waits for no change: it is refused while another change of that user runs', async () => {
    const limiter = createMemoryRateLimiter({ ipBurst: 100, ipPerMinute: 100, accountFreeFailures: 100 });
    await start({}, limiter);
    const alice = await makeUser('alice');
    const token = await issuePasswordResetToken(server!.db.db, alice, HOUR);
    const release = await limiter.claimCredentialChange(alice, 30_000);
    expect(release).not.toBeNull();
    expect(await limiter.claimCredentialChange(alice, 30_000)).toBeNull();
    const ws = await from('203.0.113.2');
    const { result: refused, jobs } = await watchHashing(() =>
      ws.call('mutation', 'auth.confirmPasswordReset', { token, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
    );
    expect(refused.error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect(jobs).toHaveLength(0);
    await release!();
    // The link was not used up by the refused attempt.
    expect(
      (await ws.ok('mutation', 'auth.confirmPasswordReset', { token, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })).data,
    ).toEqual({ username: 'alice' });
  });
});

describe('a per-address budget on every credential operation that hashes', () => {
  test('password changes and reset confirmations are limited per address; refused ones hash nothing', async () => {
    await start({ rateLimit: { ipBurst: 3, ipPerMinute: 1, accountFreeFailures: 100 } });
    await makeUser('alice');
    const ws = await signedIn('alice', '203.0.113.3');
    const spent = [];
    for (let i = 0; i < 3; i++) spent.push(await change(ws, 'not the password'));
    expect(codes(spent)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST']);
    const { result: limited, jobs } = await watchHashing(async () => [await change(ws), await change(ws, 'not the password')]);
    expect(codes(limited)).toEqual(['TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    expect(jobs).toHaveLength(0);

    const resets = [];
    for (let i = 0; i < 4; i++) {
      resets.push(
        await ws.call('mutation', 'auth.confirmPasswordReset', {
          token: `abc${i}.def`,
          newPassword: NEW_PASSWORD,
          confirmPassword: NEW_PASSWORD,
        }),
      );
    }
    expect(codes(resets)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'TOO_MANY_REQUESTS']);
    // Another address still has its budget.
    expect(codes([await change(await signedIn('alice', '198.51.100.3'))])).toEqual(['OK']);
  });
});

describe('a bounded hashing queue', () => {
  test('past credentials.hashingQueueMax a login is answered SERVICE_UNAVAILABLE with retryAfter; the queue never exceeds it', async () => {
    await start({ rateLimit: { ipBurst: 100, accountFreeFailures: 100 }, credentials: { hashingQueueMax: 2 } });
    await makeUser('alice');
    const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => from(`203.0.113.${20 + i}`)));
    const {
      result: replies,
      jobs,
      peakQueued,
    } = await watchHashing(() =>
      Promise.all(
        clients.map((ws, i) => ws.call('mutation', 'auth.login', { loginId: i === 0 ? 'alice' : `nobody${i}`, password: PASSWORD })),
      ),
    );
    expect(peakQueued).toBeLessThanOrEqual(2);
    expect(server!.statehouse.runtime.hashing.queued).toBe(0);
    const busy = replies.filter((r) => r.error?.data.code === 'SERVICE_UNAVAILABLE');
    expect(busy.length).toBeGreaterThan(0);
    for (const reply of busy) expect(reply.error!.data.statehouse.retryAfter).toBeGreaterThanOrEqual(1);
    // Every other attempt was evaluated: a login, or the uniform failure.
    for (const reply of replies.filter((r) => !busy.includes(r)))
      expect(reply.result !== undefined || reply.error?.data.code === 'UNAUTHORIZED').toBe(true);
    expect(jobs.filter((j) => j.op === 'verify')).toHaveLength(10);
    // A refused login is no failed guess: it does not count toward the lock-out, and it can be retried.
    expect((await clients[0]!.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD })).result).toBeDefined();
  });
});

describe.skipIf(!HAVE_REDIS)('with BUS_URL: one credential change per user across processes', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  test('a change held by another process refuses this one; the lock expires if that process dies', async () => {
    await start({ busUrl: redis.url, rateLimit: { ipBurst: 100 } });
    const alice = await makeUser('alice');
    // Another process of the same site, sharing the Redis.
    const other = createRedisRateLimiter(new Redis(redis.url), { ipBurst: 100, ipPerMinute: 100, accountFreeFailures: 100 });
    try {
      const release = await other.claimCredentialChange(alice, 30_000);
      expect(release).not.toBeNull();
      const ws = await signedIn('alice', '203.0.113.4');
      const { result: refused, jobs } = await watchHashing(() => change(ws));
      expect(codes([refused])).toEqual(['TOO_MANY_REQUESTS']);
      expect(jobs).toHaveLength(0);
      await release!();
      expect(codes([await change(ws)])).toEqual(['OK']);
      // A lock whose holder never releases it expires on its own.
      expect(await other.claimCredentialChange(alice, 200)).not.toBeNull();
      expect(await other.claimCredentialChange(alice, 200)).toBeNull();
      const deadline = Date.now() + 5_000;
      let claimed = null;
      while (!claimed && Date.now() < deadline) {
        await Bun.sleep(20);
        claimed = await other.claimCredentialChange(alice, 200);
      }
      expect(claimed).not.toBeNull();
    } finally {
      await other.close();
    }
  });
});
