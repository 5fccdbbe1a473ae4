import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { eq, sql } from 'drizzle-orm';
import { auditEvents, sessions, users } from '../../../db/schema';
import { createSession, sessionTag } from '../../../server/auth/session';
import { issueUserToken } from '../../../server/auth/user-tokens';
import { CookieJar, pressSignInLink, providerSignIn } from '../../helpers/browser-flow';
import { createTestUser } from '../../helpers/db';
import { startIdentityProvider, type TestIdentityProvider } from '../../helpers/identity-provider';
import { OIDC_TEST } from '../../helpers/oidc-config';
import { startTestServer, type TestServer } from '../../helpers/server';

/**
 * A sign-in that ends over HTTP (an emailed link, a provider's callback)
 * writes the user's `last_login`, the session and the `login.succeeded`
 * audit row in one transaction, as a sign-in on the socket does: all of
 * them, or, when one fails, none, and the browser's session lives on.
 */
let idp: TestIdentityProvider;
let server: TestServer;

beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(async () => {
  await idp.stop();
});
afterEach(async () => {
  await server.stop();
});

async function start(): Promise<void> {
  server = await startTestServer({ ...OIDC_TEST(idp.issuer), auth: { magicLink: true } });
}

async function rowsOf(userId: number) {
  const { db } = server.db;
  await server.statehouse.runtime.background.drain();
  const [user] = await db.select({ lastLogin: users.lastLogin }).from(users).where(eq(users.id, userId));
  return {
    lastLogin: user!.lastLogin,
    sessions: (await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId))).map((s) => s.id).sort(),
    audit: (await db.select().from(auditEvents).where(eq(auditEvents.targetUserId, userId))).map((a) => ({
      type: a.type,
      via: a.via,
      detail: JSON.parse(a.detail),
    })),
  };
}

/** One `login.succeeded` row per user: the next sign-in's audit insert, its last write, is a real unique conflict. */
function oneLoginPerUser() {
  return server.db.db.run(sql`CREATE UNIQUE INDEX one_login_per_user ON audit_events (target_user_id) WHERE type = 'login.succeeded'`);
}

/** Presses **Sign in** on a fresh emailed link of `userId`, as the browser in `jar`. */
async function useLink(jar: CookieJar, userId: number): Promise<Response> {
  const token = await issueUserToken(server.db.db, 'sign_in_link', userId, 15 * 60_000);
  return pressSignInLink(jar, server.url, token);
}

async function whoIn(jar: CookieJar): Promise<string | null> {
  const ws = await server.open({ cookie: jar.header() });
  const me = (await ws.ok('query', 'probe.whoami')).data;
  await ws.close();
  return me.isAuthenticated ? me.username : null;
}

/** A tab's logout naming the session it was bound to, with the browser's cookie. */
function logout(jar: CookieJar, sessionId: string): Promise<Response> {
  return jar.get_(`${server.url}/auth/logout`, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
    body: JSON.stringify({ session: sessionTag(sessionId) }),
  });
}

describe('an emailed sign-in link', () => {
  test('writes last_login, the session and the audit row', async () => {
    await start();
    const alice = await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const before = Date.now();
    const jar = new CookieJar();
    expect((await useLink(jar, alice.id)).status).toBe(303);
    const rows = await rowsOf(alice.id);
    expect(rows.lastLogin).toBeGreaterThanOrEqual(before);
    expect(rows.sessions).toHaveLength(1);
    expect(rows.audit).toEqual([{ type: 'login.succeeded', via: 'http', detail: { method: 'email-link' } }]);
    expect(await whoIn(jar)).toBe('alice');
  });

  test('whose last write fails leaves none of its rows; the rotated session lives on, and no rotation is remembered', async () => {
    await start();
    const alice = await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const jar = new CookieJar();
    await useLink(jar, alice.id);
    const first = await rowsOf(alice.id);
    await oneLoginPerUser();
    // Signed in already in this browser: the link would rotate that session.
    const failed = await useLink(jar, alice.id);
    expect(failed.status).toBe(500);
    // Never the failed statement's text (it lists its parameters).
    expect(await failed.text()).toBe('Sign-in failed. Try again.');
    expect(failed.headers.getSetCookie().some((c) => c.startsWith('statehouse_session='))).toBe(false);
    expect(await rowsOf(alice.id)).toEqual(first);
    expect(await whoIn(jar)).toBe('alice');
    // The rotation never happened: a logout naming the session is not taken for a stale tab's.
    const out = await logout(jar, first.sessions[0]!);
    expect(out.status).toBe(204);
    expect((await rowsOf(alice.id)).sessions).toEqual([]);
  });

  test('that fails in a browser signed in as someone else ends nothing of theirs', async () => {
    await start();
    const alice = await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    const bob = await createTestUser(server.db.db, { username: 'bob', email: 'bob@example.com' });
    await useLink(new CookieJar(), alice.id);
    const first = await rowsOf(alice.id);
    await oneLoginPerUser();
    const { runtime } = server.statehouse;
    const bobs = await createSession(runtime.sessions, runtime.sessionSettings, { userId: bob.id });
    const jar = new CookieJar();
    jar.set(runtime.config.auth.cookieName, bobs.token);
    expect((await useLink(jar, alice.id)).status).toBe(500);
    expect(await rowsOf(alice.id)).toEqual(first);
    expect((await rowsOf(bob.id)).sessions).toEqual([bobs.session.id]);
    expect(await whoIn(jar)).toBe('bob');
    expect((await logout(jar, bobs.session.id)).status).toBe(204);

    // Once it can commit, the same sign-in ends bob's session with it.
    await server.db.db.run(sql`DROP INDEX one_login_per_user`);
    const bobs2 = await createSession(runtime.sessions, runtime.sessionSettings, { userId: bob.id });
    jar.set(runtime.config.auth.cookieName, bobs2.token);
    expect((await useLink(jar, alice.id)).status).toBe(303);
    expect((await rowsOf(bob.id)).sessions).toEqual([]);
    expect(await whoIn(jar)).toBe('alice');
  });
});

describe('a provider sign-in', () => {
  test('writes last_login, the session and the audit row; when its last write fails, none of them', async () => {
    await start();
    idp.nextUser({ sub: 'alice-at-provider', email: 'alice@provider.test', email_verified: true, preferred_username: 'alice' });
    const jar = new CookieJar();
    const before = Date.now();
    expect((await providerSignIn(jar, server.url)).headers.get('location')).toBe('/notes');
    const [alice] = await server.db.db.select().from(users).where(eq(users.username, 'alice'));
    const first = await rowsOf(alice!.id);
    expect(first.lastLogin).toBeGreaterThanOrEqual(before);
    expect(first.sessions).toHaveLength(1);
    expect(first.audit.filter((a) => a.type === 'login.succeeded')).toEqual([
      { type: 'login.succeeded', via: 'http', detail: { method: 'oauth:test' } },
    ]);

    await oneLoginPerUser();
    const failed = await providerSignIn(jar, server.url);
    expect(failed.status).toBe(500);
    expect(await rowsOf(alice!.id)).toEqual(first);
    expect(await whoIn(jar)).toBe('alice');
    expect((await logout(jar, first.sessions[0]!)).status).toBe(204);
  });
});
