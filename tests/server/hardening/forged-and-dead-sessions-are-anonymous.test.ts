import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, spyOn, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { sessionData, sessions } from '../../../db/schema';
import { issueCookieTicket, redeemCookieTicket } from '../../../server/auth/tickets';
import { checkPasswordResetToken, issuePasswordResetToken } from '../../../server/auth/password-reset';
import { createUser } from '../../../server/auth/users';
import * as secrets from '../../../server/auth/secrets';
import { createLibsqlSessionBackend } from '../../../server/auth/libsql-session-backend';
import { createSession, validateSessionToken } from '../../../server/auth/session';
import type { SessionBackend } from '../../../server/auth/session-backend';
import { createTestDatabase, TEST_HASHING, TEST_RULES, type TestDatabase } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import { SESSION_BACKEND_NAMES, useSessionBackend } from '../../helpers/session-backends';

const COOKIE = 'statehouse_session';
const HOUR = 60 * 60 * 1000;

/** Secrets and ids of the right shape that were never issued. */
function randomPart(): string {
  return secrets.generateSecureRandomString();
}

describe('a dead or forged session cookie', () => {
  let server: TestServer;
  let alice: Awaited<ReturnType<TestServer['userWithSession']>>;

  beforeEach(async () => {
    server = await startTestServer({ session: { cacheTtlMs: 0 } });
    alice = await server.userWithSession('alice', { perms: ['notes.delete_note'], superuser: true });
    // Alice's real session holds data an intruder must neither read nor change.
    const ws = await server.open({ cookie: alice.cookie });
    await ws.ok('mutation', 'probe.sessionSet', { key: 'secret-note', value: 'alice only' });
    await ws.close();
  });
  afterEach(async () => {
    await server.stop();
  });

  async function aliceRows() {
    const rows = await server.db.db.select().from(sessions).where(eq(sessions.userId, alice.userId));
    const data = await server.db.db.select().from(sessionData).where(eq(sessionData.sessionId, alice.sessionId));
    return { ids: rows.map((r) => r.id).sort(), data: data.map((d) => [d.key, d.value, d.updatedAt]) };
  }

  /**
   * Every way in for a holder of `token`: anonymous identity, UNAUTHORIZED on
   * authed procedures, and a session write that lands in a fresh anonymous
   * session, never in Alice's.
   */
  async function expectAnonymousAndHarmless(token: string) {
    const before = await aliceRows();
    const ws = await server.open({ cookie: `${COOKIE}=${token}` });
    const who = await ws.ok('query', 'probe.whoami');
    expect(who.data).toMatchObject({ userId: null, isAuthenticated: false });
    for (const [type, path, input] of [
      ['query', 'probe.secret', undefined],
      ['mutation', 'probe.deleteNote', undefined],
      ['query', 'auth.sessions', undefined],
      ['mutation', 'auth.revokeOtherSessions', undefined],
      ['mutation', 'auth.revokeSession', { sessionId: alice.sessionId }],
      [
        'mutation',
        'auth.changePassword',
        { currentPassword: 'x', newPassword: 'a new long passphrase', confirmPassword: 'a new long passphrase' },
      ],
    ] as const) {
      const reply = await ws.call(type, path, input);
      expect(`${path}: ${reply.error?.data.code}`).toBe(`${path}: UNAUTHORIZED`);
    }
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'secret-note' })).data).toBeNull();
    const write = await ws.ok('mutation', 'probe.sessionSet', { key: 'secret-note', value: 'overwritten' });
    // The write created a new anonymous session (and asks the tab to adopt its cookie).
    expect(write.actions[0]).toMatchObject({ type: 'syncCookieThenNavigate', to: null });
    await ws.close();

    // Logging out over HTTP with the same cookie ends nothing either.
    const logout = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: server.url, cookie: `${COOKIE}=${token}` },
    });
    expect(logout.status).toBe(204);

    const after = await aliceRows();
    // No session row was added for Alice and her data is untouched (a dead
    // session's own row may only have been cleaned up).
    for (const id of after.ids) expect(before.ids).toContain(id);
    if (after.ids.includes(alice.sessionId)) expect(after.data).toEqual(before.data);
    const intruderRows = (await server.db.db.select().from(sessions)).filter((s) => !before.ids.includes(s.id));
    expect(intruderRows.length).toBeGreaterThanOrEqual(1);
    for (const row of intruderRows) expect(row.userId).toBeNull();
  }

  test('an invented id and secret is anonymous and cannot write as anyone', async () => {
    await expectAnonymousAndHarmless(`${randomPart()}.${randomPart()}`);
    expect((await aliceRows()).ids).toEqual([alice.sessionId]);
  });

  test('the right session id with a wrong secret is anonymous and cannot write into that session', async () => {
    await expectAnonymousAndHarmless(`${alice.sessionId}.${randomPart()}`);
    expect((await aliceRows()).ids).toEqual([alice.sessionId]);
  });

  test('malformed cookies are anonymous', async () => {
    for (const token of [
      '',
      'garbage',
      `${alice.sessionId}.`,
      `.${alice.token.split('.')[1]}`,
      `${alice.token}x`,
      alice.token.toUpperCase(),
      `${alice.token};`,
    ]) {
      const ws = await server.open({ cookie: `${COOKIE}=${encodeURIComponent(token)}` });
      expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
      expect((await ws.call('query', 'probe.secret')).error?.data.code).toBe('UNAUTHORIZED');
      await ws.close();
    }
  });

  test('a session past its inactivity expiry is anonymous and its row is removed', async () => {
    await server.db.db
      .update(sessions)
      .set({ expiresAt: Date.now() - 1, lastVerifiedAt: Date.now() - 15 * 24 * HOUR })
      .where(eq(sessions.id, alice.sessionId));
    await expectAnonymousAndHarmless(alice.token);
    expect((await aliceRows()).ids).toEqual([]);
  });

  test('a session past its absolute lifetime is anonymous even when recently used', async () => {
    await server.db.db
      .update(sessions)
      .set({ expiresAt: Date.now() + 14 * 24 * HOUR, lastVerifiedAt: Date.now(), absoluteExpiresAt: Date.now() - 1 })
      .where(eq(sessions.id, alice.sessionId));
    await expectAnonymousAndHarmless(alice.token);
    expect((await aliceRows()).ids).toEqual([]);
  });

  test('a deleted session is anonymous', async () => {
    await server.db.db.delete(sessions).where(eq(sessions.id, alice.sessionId));
    await expectAnonymousAndHarmless(alice.token);
    expect((await aliceRows()).ids).toEqual([]);
  });

  test('a session that dies while its socket is open turns anonymous on the next event, with no write', async () => {
    const ws = await server.open({ cookie: alice.cookie });
    expect((await ws.ok('query', 'probe.secret')).data).toBe('hello alice');
    await server.db.db
      .update(sessions)
      .set({ absoluteExpiresAt: Date.now() - 1 })
      .where(eq(sessions.id, alice.sessionId));
    const who = await ws.ok('query', 'probe.whoami');
    expect(who.data.isAuthenticated).toBe(false);
    expect(who.actions).toContainEqual(expect.objectContaining({ type: 'clearAuthThenNavigate' }));
    expect((await ws.call('mutation', 'probe.deleteNote')).error?.data.code).toBe('UNAUTHORIZED');
    await ws.close();
    expect((await aliceRows()).ids).toEqual([]);
  });
});

/**
 * Runs `attempt` with the hash-and-compare and the database calls counted:
 * SQL statements on `database`, and the session backend's lookups.
 * `compared` records the byte lengths handed to the constant-time compare:
 * a length mismatch would return early, so both must be full 32-byte hashes.
 */
async function measure(database: TestDatabase, attempt: () => Promise<unknown>, backend?: SessionBackend) {
  const compare = spyOn(secrets, 'secretMatches');
  const execute = spyOn(database.client, 'execute');
  const finds = backend ? [spyOn(backend, 'find'), spyOn(backend, 'findUser')] : [];
  try {
    const result = await attempt();
    return {
      result,
      compares: compare.mock.calls.length,
      compared: compare.mock.calls.map(([secret, stored]) => [secrets.hashSecret(secret).byteLength, stored.byteLength]),
      statements: execute.mock.calls.length,
      lookups: finds.map((spy) => spy.mock.calls.length),
    };
  } finally {
    compare.mockRestore();
    execute.mockRestore();
    for (const spy of finds) spy.mockRestore();
  }
}

const settings = { inactivityTimeoutMs: 14 * 24 * HOUR, renewalIntervalMs: HOUR, absoluteLifetimeMs: 30 * 24 * HOUR };

describe.each(SESSION_BACKEND_NAMES)('an unknown session id and a wrong secret cost the same work (%s backend)', (name) => {
  const store = useSessionBackend(name);

  test('validateSessionToken: one lookup, one SHA-256 and one full-length constant-time compare on both paths', async () => {
    const created = await createUser(store.t.db, { username: 'alice' }, { hashing: TEST_HASHING, rules: TEST_RULES });
    if (!created.ok) throw new Error('user');
    // A signed-in session: a backend that reads the user apart must not read it for a wrong secret.
    const { token } = await createSession(store.sessions, settings, { userId: created.value.id });
    const [id, secret] = token.split('.') as [string, string];
    const attempt = (candidate: string) =>
      measure(store.t, () => validateSessionToken(store.sessions, settings, candidate), store.sessions);
    const unknownId = await attempt(`${randomPart()}.${secret}`);
    const wrongSecret = await attempt(`${id}.${randomPart()}`);
    expect(unknownId.result).toEqual({ session: null, user: null });
    expect(wrongSecret.result).toEqual({ session: null, user: null });
    expect(unknownId.compares).toBe(1);
    expect(wrongSecret.compares).toBe(1);
    expect(unknownId.compared).toEqual([[32, 32]]);
    expect(wrongSecret.compared).toEqual([[32, 32]]);
    expect(unknownId.statements).toBe(wrongSecret.statements);
    expect(unknownId.lookups).toEqual(wrongSecret.lookups);
    expect(unknownId.lookups).toEqual([1, 0]);
    // And the valid token does the same work before it succeeds.
    const valid = await attempt(token);
    expect(valid.result).toMatchObject({ user: { username: 'alice' } });
    expect(valid.compares).toBe(1);
    expect(valid.compared).toEqual([[32, 32]]);
  });
});

describe('an unknown id and a wrong secret cost the same work', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.cleanup());

  test('cookie tickets and reset tokens: the same work for an unknown id and a wrong secret', async () => {
    const unknown = `${randomPart()}.${randomPart()}`;
    const { token: sessionToken, session } = await createSession(createLibsqlSessionBackend(t.db), settings, { userId: null });
    const ticket = await issueCookieTicket(t.db, { sessionId: session.id, sessionToken, ttlMs: 30_000 });
    const wrongTicket = `${ticket.split('.')[0]}.${randomPart()}`;
    const a = await measure(t, () => redeemCookieTicket(t.db, unknown));
    const b = await measure(t, () => redeemCookieTicket(t.db, wrongTicket));
    expect(a.result).toBeNull();
    expect(b.result).toBeNull();
    expect([a.compares, a.compared, a.statements]).toEqual([b.compares, b.compared, b.statements]);
    expect(a.compared).toEqual([[32, 32]]);

    const created = await createUser(t.db, { username: 'resetter' }, { hashing: TEST_HASHING, rules: TEST_RULES });
    if (!created.ok) throw new Error('user');
    const reset = await issuePasswordResetToken(t.db, created.value.id, HOUR);
    const c = await measure(t, () => checkPasswordResetToken(t.db, unknown));
    const d = await measure(t, () => checkPasswordResetToken(t.db, `${reset.split('.')[0]}.${randomPart()}`));
    expect(c.result).toBeNull();
    expect(d.result).toBeNull();
    expect([c.compares, c.compared, c.statements]).toEqual([d.compares, d.compared, d.statements]);
    expect(c.compared).toEqual([[32, 32]]);
  });
});
