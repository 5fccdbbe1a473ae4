import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { authTokens, sessions } from '../../../db/schema';
import { sessionTag } from '../../../server/auth/session';
import { startTestServer, type TestServer } from '../../helpers/server';
import { createTestUser } from '../../helpers/db';
import type { TestSocket } from '../../helpers/socket-client';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await server.stop();
});

const PASSWORD = 'correct horse battery';

function makeUser(username: string, extra: { email?: string; isActive?: boolean } = {}) {
  return createTestUser(server.db.db, { username, password: PASSWORD, ...extra });
}

/** Redeems a ticket like the browser does; returns the response. */
function redeem(ticket: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/auth/session`, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', ...headers },
    body: JSON.stringify({ ticket }),
  });
}

function cookieFrom(res: Response): string {
  const header = res.headers.get('set-cookie') ?? '';
  return header.split(';')[0]!;
}

async function login(ws: TestSocket, loginId: string, password = PASSWORD) {
  return ws.call('mutation', 'auth.login', { loginId, password });
}

describe('login over the socket', () => {
  test('the next event on the same socket is authenticated, and the reply asks for a cookie sync', async () => {
    await makeUser('alice');
    const ws = await server.open({ path: '/login', query: '?next=/notes' });
    const reply = await login(ws, 'alice');
    const envelope = reply.result?.data as any;
    expect(envelope.data).toEqual({ username: 'alice' });
    expect(envelope.delta.auth).toMatchObject({ username: 'alice', isAuthenticated: true });
    expect(envelope.actions).toEqual([
      { type: 'syncCookieThenNavigate', ticket: expect.any(String), to: '/notes', session: expect.any(String) },
    ]);
    expect((await ws.ok('query', 'probe.secret')).data).toBe('hello alice');
    await ws.close();
  });

  test('the ticket buys an HttpOnly, SameSite=Lax cookie that authenticates a new socket', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const ticket = ((await login(ws, 'alice')).result?.data as any).actions[0].ticket;
    const res = await redeem(ticket);
    expect(res.status).toBe(204);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^statehouse_session=[a-z2-7]+\.[a-z2-7]+;/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Path=/');
    const fresh = await server.open({ cookie: cookieFrom(res) });
    expect((await fresh.ok('query', 'probe.whoami')).data.username).toBe('alice');
    await ws.close();
    await fresh.close();
  });

  test('over https the cookie is Secure with the __Host- prefix', async () => {
    await server.stop();
    server = await startTestServer({ trustedProxies: ['127.0.0.1'] });
    await makeUser('alice');
    const ws = await server.open();
    const ticket = ((await login(ws, 'alice')).result?.data as any).actions[0].ticket;
    const res = await redeem(ticket, { 'x-forwarded-proto': 'https', origin: `https://${new URL(server.url).host}` });
    expect(res.status).toBe(204);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie.startsWith('__Host-statehouse_session=')).toBe(true);
    expect(setCookie).toContain('Secure');
    expect(setCookie).not.toContain('Domain');
    await ws.close();
  });

  test('a ticket is single use, expires, and is refused cross-site', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const ticket = ((await login(ws, 'alice')).result?.data as any).actions[0].ticket;
    expect((await redeem(ticket, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await redeem(ticket, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await redeem(ticket)).status).toBe(204);
    expect((await redeem(ticket)).status).toBe(400);

    const second = ((await login(ws, 'alice')).result?.data as any).actions[0].ticket;
    await server.db.db.update(authTokens).set({ expiresAt: Date.now() - 1 });
    expect((await redeem(second)).status).toBe(400);
    expect((await redeem('nonsense.ticket')).status).toBe(400);
    await ws.close();
  });

  test('only the hash of a ticket is stored, and the token it carries is sealed', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const ticket = ((await login(ws, 'alice')).result?.data as any).actions[0].ticket as string;
    const [row] = await server.db.db.select().from(authTokens);
    const stored = JSON.stringify(row) + Buffer.from(row!.payload!).toString('latin1');
    expect(stored).not.toContain(ticket.split('.')[1]!);
    const [session] = await server.db.db.select().from(sessions);
    expect(stored).not.toContain(`${session!.id}.`);
    await ws.close();
  });

  test('the session token never appears in a WebSocket frame', async () => {
    await makeUser('alice');
    const ws = await server.open();
    await ws.subscribeState();
    const ticket = ((await login(ws, 'alice')).result?.data as any).actions[0].ticket;
    const res = await redeem(ticket);
    const token = cookieFrom(res).split('=')[1]!;
    await ws.ok('query', 'probe.whoami');
    await ws.ok('mutation', 'probe.sessionSet', { key: 'k', value: 'v' });
    await ws.ok('mutation', 'auth.logout');
    const secret = token.split('.')[1]!;
    for (const frame of [...ws.frames, ...ws.sent]) expect(frame).not.toContain(secret);
    await ws.close();
  });

  test('an unknown user and a wrong password get the same answer', async () => {
    await makeUser('alice');
    const ws = await server.open();
    const unknown = await login(ws, 'nobody');
    const wrong = await login(ws, 'alice', 'wrong password!');
    expect(unknown.error?.data.code).toBe('UNAUTHORIZED');
    expect(wrong.error?.data.code).toBe('UNAUTHORIZED');
    expect(unknown.error?.message).toBe(wrong.error!.message);
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await ws.close();
  });

  test('an inactive user cannot sign in, with the same answer', async () => {
    await makeUser('sleepy', { isActive: false });
    const ws = await server.open();
    const reply = await login(ws, 'sleepy');
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    await ws.close();
  });

  test('login by email when the login fields allow it', async () => {
    await server.stop();
    server = await startTestServer({ auth: { loginFields: ['username', 'email'] } });
    await makeUser('alice', { email: 'Alice@Example.com' });
    const ws = await server.open();
    expect((await login(ws, 'alice@example.com')).result).toBeDefined();
    await ws.close();
  });
});

describe('session rotation', () => {
  test('a session planted before login is dead after it (fixation)', async () => {
    await makeUser('alice');
    const ws = await server.open();
    await ws.ok('mutation', 'probe.sessionSet', { key: 'cart', value: 'apples' });
    const [planted] = await server.db.db.select().from(sessions);
    await login(ws, 'alice');
    const remaining = await server.db.db.select().from(sessions);
    expect(remaining).toHaveLength(1);
    expect(remaining[0]!.id).not.toBe(planted!.id);
    expect(remaining[0]!.userId).not.toBeNull();
    // The anonymous data carried over.
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'cart' })).data).toBe('apples');
    await ws.close();
  });
});

describe('identity changes reach every tab', () => {
  test('logout in one tab pushes the sign-out to another tab of the same session', async () => {
    const alice = await server.userWithSession('alice');
    const a = await server.open({ cookie: alice.cookie });
    const b = await server.open({ cookie: alice.cookie });
    await b.subscribeState();
    const reply = await a.ok('mutation', 'auth.logout');
    // Both name the session they were bound to, so their logouts end no newer one.
    const tag = sessionTag(alice.sessionId);
    expect(reply.actions).toEqual([{ type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: ['theme'], session: tag }]);
    await b.waitForPushes(2);
    expect(b.pushes[1]).toEqual({
      delta: { auth: expect.objectContaining({ isAuthenticated: false, userId: null }) },
      actions: [{ type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: ['theme'], session: tag }],
    });
    expect((await b.call('query', 'probe.secret')).error?.data.code).toBe('UNAUTHORIZED');
    await a.close();
    await b.close();
  });

  test('revoking the other sessions signs out every other session’s tabs, not this one', async () => {
    const one = await server.userWithSession('alice');
    const { createSession } = await import('../../../server/auth/session');
    const { token } = await createSession(server.statehouse.runtime.sessions, server.statehouse.runtime.sessionSettings, {
      userId: one.userId,
    });
    const here = await server.open({ cookie: one.cookie });
    const there = await server.open({ cookie: `statehouse_session=${token}` });
    await there.subscribeState();
    expect((await here.ok('mutation', 'auth.revokeOtherSessions')).data).toEqual({ ended: 1 });
    await there.waitForPushes(2);
    expect(there.pushes[1].actions[0].type).toBe('clearAuthThenNavigate');
    expect((await here.ok('query', 'probe.secret')).data).toBe('hello alice');
    await here.close();
    await there.close();
  });

  test('a password change ends the other sessions and rotates this one', async () => {
    const user = await makeUser('alice');
    const a = await server.open();
    await login(a, 'alice');
    const b = await server.open();
    const ticket = ((await login(b, 'alice')).result?.data as any).actions[0].ticket;
    await b.subscribeState();
    const before = (await server.db.db.select().from(sessions)).map((s) => s.id);
    const reply = await a.call('mutation', 'auth.changePassword', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
      confirmPassword: 'a brand new passphrase',
    });
    expect(reply.result).toBeDefined();
    await b.waitForPushes(2);
    expect(b.pushes[1].actions[0].type).toBe('clearAuthThenNavigate');
    const after = await server.db.db.select().from(sessions).where(eq(sessions.userId, user.id));
    expect(after).toHaveLength(1);
    expect(before).not.toContain(after[0]!.id);
    expect((await a.ok('query', 'probe.secret')).data).toBe('hello alice');
    expect((await redeem(ticket)).status).toBe(400);
    await a.close();
    await b.close();
  });

  test('a wrong current password is a field error and changes nothing', async () => {
    await makeUser('alice');
    const ws = await server.open();
    await login(ws, 'alice');
    const reply = await ws.call('mutation', 'auth.changePassword', {
      currentPassword: 'not it at all',
      newPassword: 'a brand new passphrase',
      confirmPassword: 'a brand new passphrase',
    });
    expect(reply.error?.data.statehouse.fieldErrors[0].field).toBe('currentPassword');
    await ws.close();
  });
});

describe('registration', () => {
  test('creates the user, signs in, and reports field errors without losing anything', async () => {
    const ws = await server.open();
    const weak = await ws.call('mutation', 'auth.register', { username: 'carol', email: '', password: '123', confirmPassword: '123' });
    expect(weak.error?.data.code).toBe('BAD_REQUEST');
    expect(weak.error?.data.statehouse.fieldErrors.map((e: any) => e.field)).toContain('password');
    const ok = await ws.call('mutation', 'auth.register', {
      username: 'carol',
      email: 'carol@example.com',
      password: 'carol likes long walks',
      confirmPassword: 'carol likes long walks',
    });
    expect((ok.result?.data as any).actions[0].type).toBe('syncCookieThenNavigate');
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('carol');
    const taken = await ws.call('mutation', 'auth.register', {
      username: 'CAROL',
      email: '',
      password: 'another long password',
      confirmPassword: 'another long password',
    });
    expect(taken.error?.data.statehouse.fieldErrors[0]).toMatchObject({ field: 'username', code: 'username_taken' });
    await ws.close();
  });

  test('is refused when sign-up is disabled', async () => {
    await server.stop();
    server = await startTestServer({ auth: { signupEnabled: false } });
    const ws = await server.open();
    const reply = await ws.call('mutation', 'auth.register', {
      username: 'x',
      email: '',
      password: 'long enough pw',
      confirmPassword: 'long enough pw',
    });
    expect(reply.error?.data.code).toBe('FORBIDDEN');
    await ws.close();
  });
});

describe('rate limits', () => {
  test('failed logins on one account are throttled with retry-after, other accounts unaffected, and it recovers', async () => {
    await server.stop();
    server = await startTestServer({ rateLimit: { accountFreeFailures: 2, ipBurst: 100 } });
    await makeUser('alice');
    await makeUser('bob');
    const ws = await server.open();
    for (let i = 0; i < 3; i++) expect((await login(ws, 'alice', 'wrong password')).error?.data.code).toBe('UNAUTHORIZED');
    const limited = await login(ws, 'alice');
    expect(limited.error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect(limited.error?.data.statehouse.retryAfter).toBeGreaterThan(0);
    expect((await login(ws, 'bob')).result).toBeDefined();
    await Bun.sleep(1100);
    expect((await login(ws, 'alice')).result).toBeDefined();
    await ws.close();
  });

  test('logins from one IP are limited per IP', async () => {
    await server.stop();
    server = await startTestServer({ rateLimit: { ipBurst: 3, ipPerMinute: 1 } });
    const ws = await server.open();
    for (let i = 0; i < 3; i++) expect((await login(ws, `user${i}`, 'whatever pw')).error?.data.code).toBe('UNAUTHORIZED');
    expect((await login(ws, 'user9', 'whatever pw')).error?.data.code).toBe('TOO_MANY_REQUESTS');
    await ws.close();
  });
});

describe('logout endpoint', () => {
  test('expires the cookie and refuses cross-site calls', async () => {
    const alice = await server.userWithSession('alice');
    const cross = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', cookie: alice.cookie },
    });
    expect(cross.status).toBe(403);
    const res = await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: { origin: server.url, cookie: alice.cookie } });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/statehouse_session=;.*Max-Age=0/);
    expect(await server.db.db.select().from(sessions)).toHaveLength(0);
  });
});
