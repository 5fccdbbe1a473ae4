import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { authTokens, sessionData, sessions, users } from '../../../db/schema';
import { generateSecureRandomString } from '../../../server/auth/secrets';
import { createTempDir, createTestUser } from '../../helpers/db';
import { resetLinksIn } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a completely new passphrase';

let server: TestServer;
let mailDir: string;
beforeEach(async () => {
  mailDir = createTempDir('statehouse-mail-');
  server = await startTestServer({ mail: { backend: 'file', fileDir: mailDir }, rateLimit: { ipBurst: 1000 } });
});
afterEach(async () => {
  await server.stop();
});

function makeUser(username: string) {
  return createTestUser(server.db.db, { username, email: `${username}@example.com`, password: PASSWORD });
}

function redeem(ticket: string) {
  return fetch(`${server.url}/auth/session`, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ ticket }),
  });
}

async function expectRefused(ticket: string) {
  const res = await redeem(ticket);
  expect(res.status).toBe(400);
  expect(res.headers.get('set-cookie')).toBeNull();
}

async function loginTicket(ws: TestSocket, username: string): Promise<string> {
  const reply = await ws.call('mutation', 'auth.login', { loginId: username, password: PASSWORD });
  if (reply.error) throw new Error(reply.error.message);
  return (reply.result!.data as { actions: { ticket: string }[] }).actions[0]!.ticket;
}

function idOf(token: string): string {
  return token.split('.')[0]!;
}

describe('cookie tickets', () => {
  test('a ticket works once; a replay, even a concurrent one, gets nothing', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const ticket = await loginTicket(ws, 'alice');
    const statuses = (await Promise.all([redeem(ticket), redeem(ticket), redeem(ticket)])).map((r) => r.status).sort();
    expect(statuses).toEqual([204, 400, 400]);
    await expectRefused(ticket);
    await ws.close();
  });

  test('a ticket whose session was logged out is refused', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const ticket = await loginTicket(ws, 'alice');
    await ws.ok('mutation', 'auth.logout');
    await expectRefused(ticket);
    await ws.close();
  });

  test('a ticket whose session was rotated away (a second login on the tab) is refused', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const first = await loginTicket(ws, 'alice');
    const second = await loginTicket(ws, 'alice');
    await expectRefused(first);
    expect((await redeem(second)).status).toBe(204);
    await ws.close();
  });

  test('a ticket whose session expired, while its row is still there, is refused', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const ticket = await loginTicket(ws, 'alice');
    await server.db.db.update(sessions).set({ absoluteExpiresAt: Date.now() - 1 });
    await expectRefused(ticket);
    await ws.close();
  });

  test('an expired ticket is refused', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const ticket = await loginTicket(ws, 'alice');
    await server.db.db
      .update(authTokens)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(authTokens.id, idOf(ticket)));
    await expectRefused(ticket);
    await ws.close();
  });

  test('swapping the sealed payloads of two ticket rows makes both useless', async () => {
    await makeUser('alice');
    await makeUser('bob');
    const a = await server.open();
    const b = await server.open();
    const aliceTicket = await loginTicket(a, 'alice');
    const bobTicket = await loginTicket(b, 'bob');
    const [aliceRow] = await server.db.db
      .select()
      .from(authTokens)
      .where(eq(authTokens.id, idOf(aliceTicket)));
    const [bobRow] = await server.db.db
      .select()
      .from(authTokens)
      .where(eq(authTokens.id, idOf(bobTicket)));
    // Alice's ticket row now carries Bob's sealed session token, and the other way round.
    await server.db.db.update(authTokens).set({ payload: bobRow!.payload }).where(eq(authTokens.id, aliceRow!.id));
    await server.db.db.update(authTokens).set({ payload: aliceRow!.payload }).where(eq(authTokens.id, bobRow!.id));
    await expectRefused(aliceTicket);
    await expectRefused(bobTicket);
    await a.close();
    await b.close();
  });

  test('pointing a ticket row at another session, or presenting a ticket under another id, is refused', async () => {
    await makeUser('alice');
    await makeUser('bob');
    const a = await server.open();
    const b = await server.open();
    const aliceTicket = await loginTicket(a, 'alice');
    const bobTicket = await loginTicket(b, 'bob');
    const [bobRow] = await server.db.db
      .select()
      .from(authTokens)
      .where(eq(authTokens.id, idOf(bobTicket)));
    // The row claims Bob's session while its sealed token is Alice's.
    await server.db.db
      .update(authTokens)
      .set({ sessionId: bobRow!.sessionId })
      .where(eq(authTokens.id, idOf(aliceTicket)));
    await expectRefused(aliceTicket);
    // Bob's id with a secret that is not Bob's.
    await expectRefused(`${idOf(bobTicket)}.${generateSecureRandomString()}`);
    expect((await redeem(bobTicket)).status).toBe(204);
    await a.close();
    await b.close();
  });
});

/** The reset token of the n-th mail, once the mails queued after their replies are sent. */
async function nthResetToken(n: number): Promise<string> {
  await server.statehouse.runtime.background.drain();
  const link = (await resetLinksIn(mailDir))[n - 1];
  if (!link) throw new Error(`no reset link in mail number ${n}`);
  return link.token;
}

async function passwordHashOf(userId: number): Promise<string> {
  const [row] = await server.db.db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, userId));
  return row!.hash;
}

function confirm(ws: TestSocket, token: string, password = NEW_PASSWORD) {
  return ws.call('mutation', 'auth.confirmPasswordReset', { token, newPassword: password, confirmPassword: password });
}

describe('password reset links', () => {
  test('a link works once; a replay, even a concurrent one, changes nothing more', async () => {
    const alice = await makeUser('alice');
    const ws = await server.open();
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    const token = await nthResetToken(1);
    const other = await server.open();
    const replies = await Promise.all([confirm(ws, token), confirm(other, token, 'a rival new passphrase')]);
    expect(replies.filter((r) => r.result)).toHaveLength(1);
    expect(replies.filter((r) => r.error?.data.code === 'BAD_REQUEST')).toHaveLength(1);
    const hash = await passwordHashOf(alice.id);
    const later = await confirm(ws, token, 'a third new passphrase');
    expect(later.error?.data.code).toBe('BAD_REQUEST');
    expect(await passwordHashOf(alice.id)).toBe(hash);
    expect((await ws.ok('query', 'auth.checkPasswordResetToken', { token })).data.valid).toBe(false);
    await ws.close();
    await other.close();
  });

  test('an expired link is refused and the password stays', async () => {
    const alice = await makeUser('alice');
    const ws = await server.open();
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    const token = await nthResetToken(1);
    await server.db.db
      .update(authTokens)
      .set({ expiresAt: Date.now() - 1 })
      .where(eq(authTokens.id, idOf(token)));
    const hash = await passwordHashOf(alice.id);
    expect((await confirm(ws, token)).error?.data.code).toBe('BAD_REQUEST');
    expect(await passwordHashOf(alice.id)).toBe(hash);
    await ws.close();
  });

  test("a link issued for one user can never change another user's password", async () => {
    const alice = await makeUser('alice');
    const bob = await makeUser('bob');
    const ws = await server.open();
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'bob@example.com' });
    const first = await nthResetToken(1);
    const second = await nthResetToken(2);
    const aliceToken =
      (await server.db.db.select().from(authTokens).where(eq(authTokens.userId, alice.id)))[0]!.id === idOf(first) ? first : second;
    const bobToken = aliceToken === first ? second : first;
    const aliceHash = await passwordHashOf(alice.id);
    const bobHash = await passwordHashOf(bob.id);

    // Spliced tokens (one user's id, the other's secret) are refused both ways.
    const splicedA = `${idOf(aliceToken)}.${bobToken.split('.')[1]}`;
    const splicedB = `${idOf(bobToken)}.${aliceToken.split('.')[1]}`;
    for (const token of [splicedA, splicedB]) {
      expect((await ws.ok('query', 'auth.checkPasswordResetToken', { token })).data.valid).toBe(false);
      expect((await confirm(ws, token)).error?.data.code).toBe('BAD_REQUEST');
    }
    expect(await passwordHashOf(alice.id)).toBe(aliceHash);
    expect(await passwordHashOf(bob.id)).toBe(bobHash);

    // Alice's link used from a tab signed in as Bob changes Alice only.
    const bobTab = await server.open();
    await loginTicket(bobTab, 'bob');
    await bobTab.ok('mutation', 'probe.sessionSet', { key: 'bob-private', value: 'bob’s draft' });
    const done = await confirm(bobTab, aliceToken);
    expect((done.result?.data as { data: unknown }).data).toEqual({ username: 'alice' });
    expect(await passwordHashOf(alice.id)).not.toBe(aliceHash);
    expect(await passwordHashOf(bob.id)).toBe(bobHash);
    // Bob's link still works for Bob only.
    expect((await ws.ok('query', 'auth.checkPasswordResetToken', { token: bobToken })).data.valid).toBe(true);
    // The tab now belongs to Alice and carries none of Bob's session data.
    expect((await bobTab.ok('query', 'probe.whoami')).data.username).toBe('alice');
    expect((await bobTab.ok('query', 'probe.sessionGet', { key: 'bob-private' })).data).toBeNull();
    await ws.close();
    await bobTab.close();
  });

  test('a reset token is not a cookie ticket, and a cookie ticket is not a reset token', async () => {
    await makeUser('alice');
    const ws = await server.open();
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    const resetToken = await nthResetToken(1);
    await expectRefused(resetToken);
    expect((await ws.ok('query', 'auth.checkPasswordResetToken', { token: resetToken })).data.valid).toBe(true);
    const ticket = await loginTicket(ws, 'alice');
    expect((await ws.ok('query', 'auth.checkPasswordResetToken', { token: ticket })).data.valid).toBe(false);
    expect((await confirm(ws, ticket)).error?.data.code).toBe('BAD_REQUEST');
    expect((await redeem(ticket)).status).toBe(204);
    await ws.close();
  });
});

describe('signing in as someone else on a signed-in tab', () => {
  test("carries none of the previous user's session data over (an anonymous visitor's data does carry over)", async () => {
    await makeUser('alice');
    await makeUser('bob');
    const ws = await server.open();
    await ws.ok('mutation', 'probe.sessionSet', { key: 'cart', value: 'apples' });
    await loginTicket(ws, 'bob');
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'cart' })).data).toBe('apples');
    await ws.ok('mutation', 'probe.sessionSet', { key: 'bob-private', value: 'bob’s draft' });
    await loginTicket(ws, 'alice');
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
    expect((await ws.ok('query', 'probe.sessionKeys')).data).toEqual([]);
    const [aliceSession] = await server.db.db.select().from(sessions);
    expect(await server.db.db.select().from(sessionData).where(eq(sessionData.sessionId, aliceSession!.id))).toEqual([]);
    // Bob's session is gone, not left behind.
    expect(await server.db.db.select().from(sessions)).toHaveLength(1);
    await ws.close();
  });
});
