import { afterEach, describe, expect, test } from 'bun:test';
import { eq, sql } from 'drizzle-orm';
import { auditEvents, authTokens, sessions, trustedDevices, users } from '../../../db/schema';
import { createSession, sessionTag } from '../../../server/auth/session';
import { redeemCookieTicket } from '../../../server/auth/tickets';
import { createTestUser } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import { turnOnTwoFactorFor } from '../../helpers/two-factor';

/**
 * A login's writes (the user's `last_login`, the session, the cookie ticket,
 * the audit row) are one transaction on the libSQL session backend: all of
 * them are there after it, and none when one of them fails.
 */
const PASSWORD = 'correct horse battery staple';

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

async function rowsOf(userId: number) {
  const { db } = server.db;
  await server.statehouse.runtime.background.drain();
  const [user] = await db.select({ lastLogin: users.lastLogin }).from(users).where(eq(users.id, userId));
  return {
    lastLogin: user!.lastLogin,
    sessions: (await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).map((s) => s.id).sort(),
    tickets: (await db.select({ sessionId: authTokens.sessionId }).from(authTokens).where(eq(authTokens.purpose, 'cookie_ticket'))).map(
      (t) => t.sessionId,
    ),
    audit: (await db.select().from(auditEvents).where(eq(auditEvents.targetUserId, userId))).map((a) => a.type),
  };
}

describe('a login', () => {
  test('writes last_login, the session, its ticket and the audit row', async () => {
    server = await startTestServer();
    const alice = await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });
    const ws = await server.open();
    const before = Date.now();
    const login = await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    const rows = await rowsOf(alice.id);
    expect(rows.lastLogin).toBeGreaterThanOrEqual(before);
    expect(rows.sessions).toHaveLength(1);
    expect(rows.tickets).toEqual(rows.sessions);
    expect(rows.audit).toEqual(['login.succeeded']);
    // The ticket in the reply is the one written, for the session written.
    const redeemed = await redeemCookieTicket(server.db.db, login.actions[0].ticket);
    expect(redeemed?.sessionId).toBe(rows.sessions[0]);
    await ws.close();
  });

  test('whose last write fails leaves none of its rows, and the session it would replace lives on', async () => {
    server = await startTestServer();
    const alice = await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });
    const ws = await server.open();
    await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    const first = await rowsOf(alice.id);
    // One login.succeeded row per user: the next login's audit insert is a real unique conflict.
    await server.db.db.run(sql`CREATE UNIQUE INDEX one_login_per_user ON audit_events (target_user_id) WHERE type = 'login.succeeded'`);
    // Signed in already on this tab: the second login rotates the first session.
    const failed = await ws.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    expect(failed.error?.data.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await rowsOf(alice.id)).toEqual(first);

    // From a tab without a session (a new session, not a rotation): the same.
    const other = await server.open();
    expect((await other.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD })).error?.data.code).toBe(
      'INTERNAL_SERVER_ERROR',
    );
    expect(await rowsOf(alice.id)).toEqual(first);

    await server.db.db.run(sql`DROP INDEX one_login_per_user`);
    await other.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    expect((await rowsOf(alice.id)).sessions).toHaveLength(2);
    await ws.close();
    await other.close();
  });
});

/** One `login.succeeded` row per user: the next login's audit insert, its last write, is a real unique conflict. */
function oneLoginPerUser() {
  return server.db.db.run(sql`CREATE UNIQUE INDEX one_login_per_user ON audit_events (target_user_id) WHERE type = 'login.succeeded'`);
}

/** A login on a tab of its own, closed after. */
async function loginOnce(loginId: string) {
  const ws = await server.open();
  await ws.ok('mutation', 'auth.login', { loginId, password: PASSWORD });
  await ws.close();
}

/** A live session of `userId` and the cookie that carries it. */
async function sessionCookieOf(userId: number) {
  const { runtime } = server.statehouse;
  const { token, session } = await createSession(runtime.sessions, runtime.sessionSettings, { userId });
  return { id: session.id, cookie: `${runtime.config.auth.cookieName}=${token}` };
}

/** A tab's logout over HTTP naming the session it was bound to: refused (409) while that session counts as rotated. */
function logout(cookie: string, sessionId: string): Promise<Response> {
  return fetch(`${server.url}/auth/logout`, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', cookie },
    body: JSON.stringify({ session: sessionTag(sessionId) }),
  });
}

describe('a login that fails', () => {
  test('leaves no rotation remembered: the tab it rotated can still log out', async () => {
    server = await startTestServer();
    const alice = await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });
    await loginOnce('alice');
    await oneLoginPerUser();
    const mine = await sessionCookieOf(alice.id);
    const ws = await server.open({ cookie: mine.cookie });
    expect((await ws.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD })).error?.data.code).toBe(
      'INTERNAL_SERVER_ERROR',
    );
    expect(server.statehouse.runtime.rotations.of(mine.id)).toBeNull();
    expect((await logout(mine.cookie, mine.id)).status).toBe(204);
    await ws.close();
  });

  test('in a tab signed in as someone else ends nothing of theirs; once it commits, their session goes with it', async () => {
    server = await startTestServer();
    const alice = await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });
    const bob = await createTestUser(server.db.db, { username: 'bob', password: PASSWORD });
    await loginOnce('alice');
    const first = await rowsOf(alice.id);
    await oneLoginPerUser();
    const bobs = await sessionCookieOf(bob.id);
    const ws = await server.open({ cookie: bobs.cookie });
    expect((await ws.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD })).error?.data.code).toBe(
      'INTERNAL_SERVER_ERROR',
    );
    expect(await rowsOf(alice.id)).toEqual(first);
    expect((await rowsOf(bob.id)).sessions).toEqual([bobs.id]);
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('bob');
    expect(server.statehouse.runtime.rotations.of(bobs.id)).toBeNull();

    await server.db.db.run(sql`DROP INDEX one_login_per_user`);
    await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    expect((await rowsOf(bob.id)).sessions).toEqual([]);
    expect(server.statehouse.runtime.rotations.of(bobs.id)?.userId).toBe(alice.id);
    await ws.close();
  });
});

describe("two-factor's second step", () => {
  test('writes the trusted device in the sign-in transaction: a failed sign-in trusts no device', async () => {
    server = await startTestServer({ twoFactor: { enabled: true } });
    const alice = await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });
    const { codes } = await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, alice.id);
    const devices = () => server.db.db.select().from(trustedDevices).where(eq(trustedDevices.userId, alice.id));
    const secondStep = async () => {
      const ws = await server.open();
      expect((await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD })).data).toEqual({ secondStep: true });
      const done = await ws.call('mutation', 'auth.verifySecondFactor', { recoveryCode: codes.pop()!, trustDevice: true });
      await ws.close();
      return done;
    };
    expect((await secondStep()).error).toBeUndefined();
    const first = await rowsOf(alice.id);
    expect(first.audit).toContain('login.succeeded');
    expect(await devices()).toHaveLength(1);

    await oneLoginPerUser();
    expect((await secondStep()).error?.data.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await devices()).toHaveLength(1);
    const after = await rowsOf(alice.id);
    expect({ ...after, audit: after.audit.filter((type) => type !== 'recovery_code.used') }).toEqual({
      ...first,
      audit: first.audit.filter((type) => type !== 'recovery_code.used'),
    });
  });
});
