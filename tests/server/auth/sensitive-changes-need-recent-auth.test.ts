import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { authTokens, sessions as sessionsTable, users } from '../../../db/schema';
import { issuePasswordResetToken } from '../../../server/auth/password-reset';
import {
  createSession,
  lastAuthenticatedAt,
  listUserSessions,
  markSessionAuthenticated,
  validateSessionToken,
  type SessionSettings,
} from '../../../server/auth/session';
import { createTestUser } from '../../helpers/db';
import { captureMail } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';
import { SESSION_BACKEND_NAMES, useSessionBackend } from '../../helpers/session-backends';
import type { TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'a long enough passphrase';
const MINUTE = 60_000;
const SETTINGS: SessionSettings = {
  inactivityTimeoutMs: 14 * 24 * 60 * MINUTE,
  renewalIntervalMs: 60 * MINUTE,
  absoluteLifetimeMs: 30 * 24 * 60 * MINUTE,
};

describe.each(SESSION_BACKEND_NAMES)('the %s backend records when a session proved its user', (name) => {
  const store = useSessionBackend(name);

  test('a new session at its creation, by password; a confirmation moves it; the sessions list carries both', async () => {
    const user = await createTestUser(store.t.db, { username: 'ada' });
    const then = Date.now() - 30 * MINUTE;
    const { token, session } = await createSession(store.sessions, SETTINGS, { userId: user.id }, then);
    expect([session.authenticatedAt, session.signInMethod]).toEqual([then, 'password']);
    const later = then + 20 * MINUTE;
    await markSessionAuthenticated(store.sessions, session.id, later);
    const validated = await validateSessionToken(store.sessions, SETTINGS, token);
    expect(validated.session && lastAuthenticatedAt(validated.session)).toBe(later);
    const [listed] = await listUserSessions(store.sessions, user.id);
    expect([listed?.authenticatedAt, listed?.signInMethod]).toEqual([later, 'password']);
  });

  test('marking a session that is gone creates nothing', async () => {
    await markSessionAuthenticated(store.sessions, 'gone0000000000000000', Date.now());
    expect(await store.sessions.find('gone0000000000000000')).toBeNull();
  });
});

describe('recentAuth() on the canned procedures', () => {
  let server: TestServer;
  let deleted: number[];
  beforeEach(async () => {
    deleted = [];
    server = await startTestServer({
      rateLimit: { ipBurst: 100, accountFreeFailures: 3 },
      hooks: { onDeleteUser: ({ userId }) => void deleted.push(userId) },
    });
    captureMail(server.statehouse.runtime.mailer);
  });
  afterEach(async () => {
    await server.stop();
  });

  /** A user with a password and a socket on a session that signed in `ageMs` ago. */
  async function signedIn(ageMs: number): Promise<{ ws: TestSocket; userId: number; cookie: string }> {
    const row = await createTestUser(server.db.db, { username: 'ada', email: 'ada@example.com', password: PASSWORD });
    const { runtime } = server.statehouse;
    const { token } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: row.id }, Date.now() - ageMs);
    const cookie = `${runtime.config.auth.cookieName}=${token}`;
    return { ws: await server.open({ cookie }), userId: row.id, cookie };
  }

  const sensitive = [
    [
      'auth.changePassword',
      { currentPassword: PASSWORD, newPassword: 'another long passphrase', confirmPassword: 'another long passphrase' },
    ],
    ['auth.changeEmail', { email: 'ada@new.example' }],
    ['auth.revokeOtherSessions', undefined],
    ['auth.deleteAccount', undefined],
  ] as const;

  test('past the window (10 minutes) each sensitive change answers REAUTH_REQUIRED and the confirmIdentity action, and changes nothing', async () => {
    const { ws, userId } = await signedIn(11 * MINUTE);
    for (const [path, input] of sensitive) {
      const reply = await ws.call('mutation', path, input);
      expect(reply.error?.data.code).toBe('FORBIDDEN');
      expect(reply.error?.data.statehouse.reason).toBe('REAUTH_REQUIRED');
      expect(reply.error?.data.statehouse.actions).toEqual([{ type: 'confirmIdentity', methods: ['password'] }]);
    }
    const [row] = await server.db.db.select().from(users).where(eq(users.id, userId));
    expect(row?.pendingEmail).toBeNull();
    expect(deleted).toEqual([]);
    await ws.close();
  });

  test('within the window they pass without asking', async () => {
    const { ws } = await signedIn(9 * MINUTE);
    const [path, input] = sensitive[1];
    expect((await ws.ok('mutation', path, input)).data).toEqual({ sent: true });
    await ws.close();
  });

  test('Confirm it’s you: a wrong password is a field error; the right one renews the proof and the refused call then passes', async () => {
    const { ws } = await signedIn(11 * MINUTE);
    const wrong = await ws.call('mutation', 'auth.confirmIdentity', { password: 'not the password' });
    expect(wrong.error?.data.code).toBe('BAD_REQUEST');
    expect(wrong.error?.data.statehouse.fieldErrors).toEqual([
      { field: 'password', code: 'password_incorrect', message: 'Your password was entered incorrectly.' },
    ]);
    expect((await ws.ok('mutation', 'auth.confirmIdentity', { password: PASSWORD })).data).toEqual({ confirmed: true });
    const [path, input] = sensitive[0];
    expect((await ws.ok('mutation', path, input)).data).toBeNull();
    await ws.close();
  });

  test('wrong confirmations count against the account lock-out, as sign-ins do', async () => {
    const { ws } = await signedIn(11 * MINUTE);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await ws.call('mutation', 'auth.confirmIdentity', { password: `wrong ${i} password` })).error!.data.code);
    expect(codes.slice(0, 3)).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST']);
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
    // Locked: even the right password waits.
    expect((await ws.call('mutation', 'auth.confirmIdentity', { password: PASSWORD })).error?.data.code).toBe('TOO_MANY_REQUESTS');
    await ws.close();
  });

  test('anonymous callers are sent to sign in; bad input is a validation error', async () => {
    const anon = await server.open();
    const reply = await anon.call('mutation', 'auth.deleteAccount');
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    const { ws } = await signedIn(0);
    expect((await ws.call('mutation', 'auth.confirmIdentity', { password: 'x'.repeat(300) })).error?.data.code).toBe('BAD_REQUEST');
    for (const s of [anon, ws]) await s.close();
  });

  test('Delete account: the hook runs, the user, sessions and tokens go, and every tab of the user is signed out', async () => {
    const { ws, userId, cookie } = await signedIn(0);
    const sibling = await server.open({ cookie });
    await sibling.subscribeState();
    const { runtime } = server.statehouse;
    const { token: otherToken } = await createSession(runtime.sessions, runtime.sessionSettings, { userId });
    const elsewhere = await server.open({ cookie: `${runtime.config.auth.cookieName}=${otherToken}` });
    await elsewhere.subscribeState();
    await issuePasswordResetToken(server.db.db, userId, 60 * MINUTE);

    const reply = await ws.ok('mutation', 'auth.deleteAccount');
    expect(reply.actions.map((a) => a.type)).toContain('clearAuthThenNavigate');
    expect(deleted).toEqual([userId]);
    expect(await server.db.db.select().from(users).where(eq(users.id, userId))).toEqual([]);
    expect(await server.db.db.select().from(sessionsTable).where(eq(sessionsTable.userId, userId))).toEqual([]);
    expect(await server.db.db.select().from(authTokens).where(eq(authTokens.userId, userId))).toEqual([]);
    for (const tab of [sibling, elsewhere]) {
      await tab.waitForPushes(2);
      expect(tab.pushes.at(-1).actions.map((a: { type: string }) => a.type)).toContain('clearAuthThenNavigate');
      expect((await tab.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    }
    for (const s of [ws, sibling, elsewhere]) await s.close();
  });

  test('a hook that throws stops the deletion', async () => {
    await server.stop();
    server = await startTestServer({
      hooks: {
        onDeleteUser: () => {
          throw new Error('the app refuses');
        },
      },
    });
    const { ws, userId } = await signedIn(0);
    expect((await ws.call('mutation', 'auth.deleteAccount')).error?.data.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await server.db.db.select().from(users).where(eq(users.id, userId))).toHaveLength(1);
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(true);
    await ws.close();
  });

  test('the sessions list names how each session signed in', async () => {
    const { ws } = await signedIn(0);
    const listed = await ws.ok('query', 'auth.sessions');
    expect(listed.data.map((s: { signInMethod: string }) => s.signInMethod)).toEqual(['password']);
    await ws.close();
  });
});
