import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { sessions } from '../../../db/schema';
import { issuePasswordResetToken } from '../../../server/auth/password-reset';
import { createSession, sessionTag, validateSessionToken } from '../../../server/auth/session';
import { createTestUser } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';

/**
 * Login, sign-up, a password change and a reset rotate the session of the
 * tab that made them. Every other tab of the old session is told at once
 * (`followSession`, carrying the non-secret tag of the new session): it must
 * reconnect to pick up the browser's new cookie, and is never handed the new
 * token by the server, so a stolen copy of the old cookie does not follow a
 * password change. A stale tab's logout ends only the session it was bound
 * to, and an anonymous session's ticket never replaces a signed-in cookie.
 */
let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
});

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'amber orchard compass';

async function makeUser(username: string): Promise<number> {
  return (await createTestUser(server.db.db, { username, password: PASSWORD })).id;
}

/** The live session of a token, as the server validates it. */
async function sessionOf(token: string) {
  return (await validateSessionToken(server.statehouse.runtime.sessions, server.statehouse.runtime.sessionSettings, token)).session;
}

async function signedInCookie(userId: number): Promise<{ cookie: string; token: string; sessionId: string }> {
  const { token, session } = await createSession(server.statehouse.runtime.sessions, server.statehouse.runtime.sessionSettings, { userId });
  return { cookie: `statehouse_session=${token}`, token, sessionId: session.id };
}

function post(path: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { origin: server.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
}

/** Redeems a ticket as the browser would (with the browser's current cookie); returns the new cookie or the refusal. */
async function redeem(ticket: string, cookie?: string): Promise<{ status: number; cookie: string | null; body: unknown }> {
  const res = await post('/auth/session', { ticket }, cookie);
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, cookie: setCookie ? setCookie.split(';')[0]! : null, body: res.status === 204 ? null : await res.json() };
}

function cookieAction(envelope: { actions: any[] }, type: string): any {
  return envelope.actions.find((a) => a.type === type);
}

async function who(ws: TestSocket): Promise<string> {
  const data = (await ws.ok('query', 'probe.whoami')).data;
  return data.isAuthenticated ? data.username : '(anonymous)';
}

async function liveSessionIds(): Promise<string[]> {
  return (await server.db.db.select({ id: sessions.id }).from(sessions)).map((r) => r.id);
}

describe('a rotation reaches the other tabs of the session', () => {
  test('a password change: the other tab is told to follow the new session, keeps its snapshot, and is not handed the token', async () => {
    const aliceId = await makeUser('alice');
    const { cookie, sessionId: oldId } = await signedInCookie(aliceId);
    const tabA = await server.open({ cookie });
    const tabB = await server.open({ cookie });
    await tabB.subscribeState();
    const pushesBefore = tabB.pushes.length;

    const changed = await tabA.ok('mutation', 'auth.changePassword', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    const sync = cookieAction(changed, 'syncCookieThenNavigate');
    const [newId] = (await liveSessionIds()).filter((id) => id !== oldId);
    expect(sync).toEqual({ type: 'syncCookieThenNavigate', ticket: expect.any(String), to: null, session: sessionTag(newId!) });

    await tabB.waitForPushes(pushesBefore + 1);
    const push = tabB.pushes.at(-1);
    expect(push.actions).toEqual([{ type: 'followSession', session: sessionTag(newId!), reload: false }]);
    // No anonymous snapshot: the tab stays signed in on screen while it reconnects.
    expect(push.delta.auth).toBeUndefined();
    // Nothing in B's frames names the new token.
    const { cookie: newCookie } = await redeem(sync.ticket, cookie);
    const newToken = newCookie!.split('=')[1]!;
    expect(tabB.frames.join('\n')).not.toContain(newToken.split('.')[1]!);
    // Its old socket is not moved onto the new session: an event there is anonymous, and asks for no logout.
    const reply = await tabB.ok('query', 'probe.whoami');
    expect(reply.data.isAuthenticated).toBe(false);
    expect(cookieAction(reply, 'clearAuthThenNavigate')).toBeUndefined();
    // Reconnecting with the browser's current cookie, the tab is alice again.
    const reconnected = await server.open({ cookie: newCookie! });
    expect(await who(reconnected)).toBe('alice');
    await Promise.all([tabA.close(), tabB.close(), reconnected.close()]);
  });

  test('a stolen copy of the old cookie does not follow a password change', async () => {
    const aliceId = await makeUser('alice');
    const { cookie } = await signedInCookie(aliceId);
    const victim = await server.open({ cookie });
    const thief = await server.open({ cookie });
    await thief.subscribeState();
    const changed = await victim.ok('mutation', 'auth.changePassword', {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    await thief.waitForPushes(2);
    expect(thief.pushes.at(-1).actions[0].type).toBe('followSession');
    // Doing as told, the thief reconnects with what it holds: the old cookie.
    const again = await server.open({ cookie });
    expect(await who(again)).toBe('(anonymous)');
    expect(await who(thief)).toBe('(anonymous)');
    expect(cookieAction(changed, 'syncCookieThenNavigate')).toBeDefined();
    await Promise.all([victim.close(), thief.close(), again.close()]);
  });

  test('signing in on an anonymous tab: the tabs of its anonymous session follow without a reload', async () => {
    await makeUser('alice');
    const tabA = await server.open();
    const first = await tabA.ok('mutation', 'probe.sessionSet', { key: 'theme', value: 'dark' });
    const { cookie } = await redeem(cookieAction(first, 'syncCookieThenNavigate').ticket);
    const tabB = await server.open({ cookie: cookie! });
    await tabB.subscribeState();
    const login = await tabA.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    const tag = cookieAction(login, 'syncCookieThenNavigate').session;
    await tabB.waitForPushes(2);
    expect(tabB.pushes.at(-1).actions).toEqual([{ type: 'followSession', session: tag, reload: false }]);
    await Promise.all([tabA.close(), tabB.close()]);
  });

  test("signing in as bob on a tab of alice's: alice's other tabs follow with a reload, and none is told to log out", async () => {
    const aliceId = await makeUser('alice');
    await makeUser('bob');
    const { cookie } = await signedInCookie(aliceId);
    const tabA = await server.open({ cookie });
    const tabB = await server.open({ cookie });
    await tabB.subscribeState();
    const login = await tabA.ok('mutation', 'auth.login', { loginId: 'bob', password: PASSWORD });
    const tag = cookieAction(login, 'syncCookieThenNavigate').session;
    await tabB.waitForPushes(2);
    expect(tabB.pushes.at(-1).actions).toEqual([{ type: 'followSession', session: tag, reload: true }]);
    await Promise.all([tabA.close(), tabB.close()]);
  });

  test('a reset confirmed on a tab signed in as the same user rotates its session: the sibling follows instead of logging out', async () => {
    const aliceId = await makeUser('alice');
    const { cookie } = await signedInCookie(aliceId);
    const elsewhere = await signedInCookie(aliceId);
    const tabA = await server.open({ cookie });
    const tabB = await server.open({ cookie });
    const otherBrowser = await server.open({ cookie: elsewhere.cookie });
    await tabB.subscribeState();
    await otherBrowser.subscribeState();
    const token = await issuePasswordResetToken(server.db.db, aliceId, 60_000);
    const reset = await tabA.ok('mutation', 'auth.confirmPasswordReset', {
      token,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    const tag = cookieAction(reset, 'syncCookieThenNavigate').session;
    await tabB.waitForPushes(2);
    expect(tabB.pushes.at(-1).actions).toEqual([{ type: 'followSession', session: tag, reload: false }]);
    // Another browser's session ends as before.
    await otherBrowser.waitForPushes(2);
    expect(otherBrowser.pushes.at(-1).actions[0]).toMatchObject({
      type: 'clearAuthThenNavigate',
      session: sessionTag(elsewhere.sessionId),
    });
    await Promise.all([tabA.close(), tabB.close(), otherBrowser.close()]);
  });
});

describe('a sibling that finds its session gone before the rotation is announced', () => {
  test('follows the rotation instead of answering a logout, and the announcement still reaches it', async () => {
    const aliceId = await makeUser('alice');
    const { runtime } = server.statehouse;
    runtime.config.session.cacheTtlMs = 0; // every event reads the session row
    const { cookie, sessionId: oldId } = await signedInCookie(aliceId);
    const sibling = await server.open({ cookie });
    await sibling.subscribeState();
    expect(await who(sibling)).toBe('alice');
    // The rotation has committed (the old row is gone) and is not announced yet.
    runtime.rotations.mark(oldId, aliceId);
    await server.db.db.delete(sessions).where(eq(sessions.id, oldId));
    const reply = await sibling.ok('query', 'probe.whoami');
    expect(reply.data.isAuthenticated).toBe(false);
    expect(reply.actions.map((a: { type: string }) => a.type)).not.toContain('clearAuthThenNavigate');
    expect(runtime.registry.ofSession(oldId).length).toBe(1);
    // The announcement arrives: the sibling is told to follow, with the new session's tag.
    runtime.rotations.completed(oldId, 'new-session-id');
    await runtime.bus.publish({ type: 'session-rotated', oldSessionId: oldId, newSessionId: 'new-session-id', userId: aliceId });
    await sibling.waitForPushes(2);
    expect(sibling.pushes.at(-1).actions).toEqual([{ type: 'followSession', session: sessionTag('new-session-id'), reload: false }]);
    await sibling.close();
  });

  test("a logout naming a session rotated a moment ago neither ends nor expires the browser's cookie", async () => {
    const aliceId = await makeUser('alice');
    const { cookie, sessionId } = await signedInCookie(aliceId);
    server.statehouse.runtime.rotations.mark(sessionId, aliceId);
    const res = await post('/auth/logout', { session: sessionTag(sessionId) }, cookie);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'session_changed' });
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('POST /auth/logout ends only the session the tab was bound to', () => {
  test('clearAuthThenNavigate carries the tag of the session the tab was bound to', async () => {
    const aliceId = await makeUser('alice');
    const { cookie, sessionId } = await signedInCookie(aliceId);
    const ws = await server.open({ cookie });
    const out = await ws.ok('mutation', 'auth.logout');
    expect(cookieAction(out, 'clearAuthThenNavigate')).toMatchObject({ session: sessionTag(sessionId) });
    await ws.close();
  });

  test("a stale tab's logout neither ends nor expires a newer session in the browser", async () => {
    const aliceId = await makeUser('alice');
    const stale = await signedInCookie(aliceId);
    const current = await signedInCookie(aliceId);
    const res = await post('/auth/logout', { session: sessionTag(stale.sessionId) }, current.cookie);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: 'session_changed' });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect((await sessionOf(current.token))?.id).toBe(current.sessionId);
  });

  test('with the tag of the cookie it holds, the logout ends that session and expires the cookie, dead or alive', async () => {
    const aliceId = await makeUser('alice');
    const live = await signedInCookie(aliceId);
    const res = await post('/auth/logout', { session: sessionTag(live.sessionId) }, live.cookie);
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toContain('statehouse_session=;');
    expect(await liveSessionIds()).not.toContain(live.sessionId);
    // The session already ended by the socket logout: the cookie still goes.
    const again = await post('/auth/logout', { session: sessionTag(live.sessionId) }, live.cookie);
    expect(again.status).toBe(204);
    expect(again.headers.get('set-cookie')).toContain('statehouse_session=;');
  });

  test('a plain HTTP logout without a tag works as before: the cookie’s session ends', async () => {
    const aliceId = await makeUser('alice');
    const live = await signedInCookie(aliceId);
    const res = await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: { origin: server.url, cookie: live.cookie } });
    expect(res.status).toBe(204);
    expect(await liveSessionIds()).not.toContain(live.sessionId);
  });

  test('a malformed tag is a bad request and ends nothing', async () => {
    const aliceId = await makeUser('alice');
    const live = await signedInCookie(aliceId);
    for (const session of [42, 'x'.repeat(200), '']) {
      expect((await post('/auth/logout', { session }, live.cookie)).status).toBe(400);
    }
    expect(await liveSessionIds()).toContain(live.sessionId);
  });
});

describe("an anonymous session's ticket never replaces a signed-in cookie", () => {
  test('a stale anonymous tab writing the session: 409 signed_in, the cookie stays, the stray session is gone', async () => {
    const aliceId = await makeUser('alice');
    const alice = await signedInCookie(aliceId);
    // The tab opened before the browser signed in: no cookie on its upgrade.
    const staleTab = await server.open();
    const written = await staleTab.ok('mutation', 'probe.sessionSet', { key: 'language', value: 'ar' });
    const sync = cookieAction(written, 'syncCookieThenNavigate');
    const answer = await redeem(sync.ticket, alice.cookie);
    expect(answer).toEqual({ status: 409, cookie: null, body: { error: 'signed_in' } });
    expect(await liveSessionIds()).toEqual([alice.sessionId]);
    await staleTab.close();
  });

  test('over an anonymous or a dead cookie, the anonymous ticket is redeemed as before', async () => {
    const tab = await server.open();
    const sync = cookieAction(await tab.ok('mutation', 'probe.sessionSet', { key: 'k', value: 'v' }), 'syncCookieThenNavigate');
    const anonymous = await createSession(server.statehouse.runtime.sessions, server.statehouse.runtime.sessionSettings, { userId: null });
    expect((await redeem(sync.ticket, `statehouse_session=${anonymous.token}`)).status).toBe(204);
    const other = await server.open();
    const second = cookieAction(await other.ok('mutation', 'probe.sessionSet', { key: 'k', value: 'v' }), 'syncCookieThenNavigate');
    const aliceId = await makeUser('alice');
    const dead = await signedInCookie(aliceId);
    await server.db.db.delete(sessions).where(eq(sessions.id, dead.sessionId));
    expect((await redeem(second.ticket, dead.cookie)).status).toBe(204);
    await Promise.all([tab.close(), other.close()]);
  });

  test("a signed-in session's ticket still replaces another signed-in cookie (signing in as someone else)", async () => {
    const aliceId = await makeUser('alice');
    await makeUser('bob');
    const alice = await signedInCookie(aliceId);
    const tab = await server.open({ cookie: alice.cookie });
    const login = await tab.ok('mutation', 'auth.login', { loginId: 'bob', password: PASSWORD });
    const answer = await redeem(cookieAction(login, 'syncCookieThenNavigate').ticket, alice.cookie);
    expect(answer.status).toBe(204);
    await tab.close();
  });

  test("a sign-in made on a tab that had no session replaces the browser's live session: that session ends and its tabs follow", async () => {
    const aliceId = await makeUser('alice');
    await makeUser('bob');
    const alice = await signedInCookie(aliceId);
    const aliceTab = await server.open({ cookie: alice.cookie });
    await aliceTab.subscribeState();
    // A tab that missed the browser's sign-in as alice (opened before it, no cookie), signing in as bob.
    const stale = await server.open();
    const login = await stale.ok('mutation', 'auth.login', { loginId: 'bob', password: PASSWORD });
    const sync = cookieAction(login, 'syncCookieThenNavigate');
    const answer = await redeem(sync.ticket, alice.cookie);
    expect(answer.status).toBe(204);
    // One browser, one identity: alice's session is gone, not left alive without a cookie.
    expect(await sessionOf(alice.token)).toBeNull();
    await aliceTab.waitForPushes(2);
    expect(aliceTab.pushes.at(-1).actions).toEqual([{ type: 'followSession', session: sync.session, reload: true }]);
    await Promise.all([aliceTab.close(), stale.close()]);
  });
});
