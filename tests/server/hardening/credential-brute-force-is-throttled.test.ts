import { afterEach, describe, expect, spyOn, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { users } from '../../../db/schema';
import { createMemoryRateLimiter } from '../../../server/auth/rate-limit';
import { createUser } from '../../../server/auth/users';
import type { StatehouseConfigInput } from '../../../server';
import { TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { RpcReply, TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'correct horse battery';

let server: TestServer;
const sockets: TestSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) await ws.close();
  await server.stop();
});

/**
 * A server whose account lock-out lasts a minute from the first one (the
 * default starts at one second), so no check here races the clock.
 */
async function start(
  config: StatehouseConfigInput & { rateLimit: { ipBurst: number; accountFreeFailures: number; ipPerMinute?: number } },
) {
  const { ipBurst, accountFreeFailures, ipPerMinute = 10 } = config.rateLimit;
  const limiter = createMemoryRateLimiter({ ipBurst, ipPerMinute, accountFreeFailures, accountBaseDelayMs: 60_000 });
  server = await startTestServer(config, { limiter });
  for (const username of ['alice', 'bob']) {
    const created = await createUser(server.db.db, { username, password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
  }
}

/** A socket whose upgrade came through the proxy with this `X-Forwarded-For`. */
async function from(forwardedFor: string | null): Promise<TestSocket> {
  const ws = await server.open(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {});
  sockets.push(ws);
  return ws;
}

function login(ws: TestSocket, loginId: string, pw = 'not the password'): Promise<RpcReply> {
  return ws.call('mutation', 'auth.login', { loginId, password: pw });
}

/** Counts argon2id verifications (real, or the dummy one for unknown users) while `run` runs. */
async function countVerifies<T>(run: () => Promise<T>): Promise<{ result: T; verifies: number }> {
  const jobs = spyOn(server.statehouse.runtime.hashing, 'run');
  try {
    const result = await run();
    return { result, verifies: jobs.mock.calls.filter(([job]) => job.op === 'verify').length };
  } finally {
    jobs.mockRestore();
  }
}

describe('guessing one account', () => {
  test('from many addresses locks that account only; locked attempts are not evaluated, even with the right password', async () => {
    await start({ trustedProxies: ['127.0.0.1'], rateLimit: { accountFreeFailures: 3, ipBurst: 100 } });
    // Each guess comes from a different address, as from a botnet.
    for (let i = 1; i <= 4; i++) {
      expect((await login(await from(`10.0.0.${i}`), 'alice')).error?.data.code).toBe('UNAUTHORIZED');
    }
    const { result: locked, verifies } = await countVerifies(async () => [
      await login(await from('10.0.0.50'), 'alice'),
      await login(await from('10.0.0.51'), 'alice', PASSWORD),
      // The account key ignores case and surrounding blanks.
      await login(await from('10.0.0.52'), 'ALICE'),
      await login(await from('10.0.0.53'), '  Alice  '),
    ]);
    for (const reply of locked) {
      expect(reply.error?.data.code).toBe('TOO_MANY_REQUESTS');
      expect(reply.error?.data.statehouse.retryAfter).toBeGreaterThanOrEqual(1);
    }
    expect(verifies).toBe(0);
    // Bob, on one of the very addresses the attacker used, signs in (and that is evaluated).
    const bob = await from('10.0.0.2');
    const bobLogin = await countVerifies(() => login(bob, 'bob', PASSWORD));
    expect(bobLogin.result.result).toBeDefined();
    expect(bobLogin.verifies).toBe(1);
    expect((await bob.ok('query', 'probe.whoami')).data.username).toBe('bob');
  });
});

describe('guessing from one address', () => {
  test('is limited per address across accounts; limited attempts are not evaluated; other addresses sign in', async () => {
    await start({ trustedProxies: ['127.0.0.1'], rateLimit: { accountFreeFailures: 100, ipBurst: 5, ipPerMinute: 1 } });
    const attacker = await from('203.0.113.7');
    for (let i = 0; i < 5; i++) expect((await login(attacker, `user${i}`)).error?.data.code).toBe('UNAUTHORIZED');
    const { result, verifies } = await countVerifies(async () => {
      const replies: RpcReply[] = [];
      for (let i = 5; i < 10; i++) replies.push(await login(attacker, `user${i}`));
      // A new socket from the same address shares the budget; so does one with
      // invented hops in front of the address the proxy saw.
      replies.push(await login(await from('203.0.113.7'), 'bob', PASSWORD));
      replies.push(await login(await from('198.51.100.1, 192.0.2.44, 203.0.113.7'), 'alice'));
      return replies;
    });
    for (const reply of result) expect(reply.error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect(verifies).toBe(0);
    // Registration and reset requests from that address have budgets of their own.
    const reset = await attacker.call('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    expect(reset.result).toBeDefined();
    // Alice and Bob, elsewhere, are not affected.
    expect((await login(await from('198.51.100.20'), 'alice', PASSWORD)).result).toBeDefined();
    expect((await login(await from('198.51.100.21'), 'bob', PASSWORD)).result).toBeDefined();
  });

  test('without a trusted proxy, a forged X-Forwarded-For does not buy a fresh budget', async () => {
    await start({ rateLimit: { accountFreeFailures: 100, ipBurst: 3, ipPerMinute: 1 } });
    const { result: replies, verifies } = await countVerifies(async () => {
      const out: RpcReply[] = [];
      for (let i = 0; i < 6; i++) out.push(await login(await from(`192.0.2.${i + 1}`), `user${i}`));
      return out;
    });
    // Unknown users still cost one dummy verify each while allowed.
    expect(verifies).toBe(3);
    expect(replies.map((r) => r.error?.data.code)).toEqual([
      'UNAUTHORIZED',
      'UNAUTHORIZED',
      'UNAUTHORIZED',
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
      'TOO_MANY_REQUESTS',
    ]);
    const who = await (await from('192.0.2.99')).ok('query', 'probe.whoami');
    expect(who.data.ip).toBe('127.0.0.1');
  });
});

describe('one account, two login ids', () => {
  test('with loginFields username and email, failures typed as either count toward one lock-out of the account', async () => {
    await start({
      trustedProxies: ['127.0.0.1'],
      auth: { loginFields: ['username', 'email'] },
      rateLimit: { accountFreeFailures: 3, ipBurst: 100 },
    });
    await server.db.db.update(users).set({ email: 'alice@example.com' }).where(eq(users.username, 'alice'));
    // Two guesses by name, two by address: four failures of one account.
    for (const [i, id] of ['alice', 'alice@example.com', 'Alice', 'ALICE@example.com'].entries()) {
      expect((await login(await from(`10.0.1.${i + 1}`), id)).error?.data.code).toBe('UNAUTHORIZED');
    }
    const { result: locked, verifies } = await countVerifies(async () => [
      await login(await from('10.0.1.50'), 'alice', PASSWORD),
      await login(await from('10.0.1.51'), 'alice@example.com', PASSWORD),
    ]);
    for (const reply of locked) expect(reply.error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect(verifies).toBe(0);
    // Bob's account is its own.
    expect((await login(await from('10.0.1.60'), 'bob', PASSWORD)).result).toBeDefined();
  });

  test('an unknown login id keeps a counter of its own and is answered as a known one', async () => {
    await start({
      trustedProxies: ['127.0.0.1'],
      auth: { loginFields: ['username', 'email'] },
      rateLimit: { accountFreeFailures: 3, ipBurst: 100 },
    });
    for (let i = 1; i <= 4; i++) expect((await login(await from(`10.0.2.${i}`), 'ghost')).error?.data.code).toBe('UNAUTHORIZED');
    expect((await login(await from('10.0.2.50'), 'ghost')).error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect((await login(await from('10.0.2.51'), 'GHOST')).error?.data.code).toBe('TOO_MANY_REQUESTS');
    // Another unknown id, and a real account, are not locked by it.
    expect((await login(await from('10.0.2.52'), 'phantom')).error?.data.code).toBe('UNAUTHORIZED');
    expect((await login(await from('10.0.2.53'), 'alice', PASSWORD)).result).toBeDefined();
  });
});

describe('an account without a usable password', () => {
  test('a login to it costs the same verify as an unknown user or a wrong password', async () => {
    await start({ rateLimit: { accountFreeFailures: 100, ipBurst: 100 } });
    const created = await createUser(server.db.db, { username: 'nopass' }, { hashing: TEST_HASHING, rules: TEST_RULES });
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const ws = await from(null);
    const unusable = await countVerifies(() => login(ws, 'nopass'));
    const unknown = await countVerifies(() => login(ws, 'nobody'));
    const wrong = await countVerifies(() => login(ws, 'alice'));
    for (const attempt of [unusable, unknown, wrong]) {
      expect(attempt.result.error?.data.code).toBe('UNAUTHORIZED');
      expect(attempt.verifies).toBe(1);
    }
    expect(unusable.result.error?.message).toBe(unknown.result.error?.message);
  });
});
