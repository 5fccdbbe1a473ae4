import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { Events } from 'oauth2-mock-server';
import { auditEvents, providerIdentities, users } from '../../../db/schema';
import { openWith } from '../../../server/auth/sealing';
import { OIDC_TEST } from '../../helpers/oidc-config';
import { CookieJar, locationOf } from '../../helpers/browser-flow';
import { startIdentityProvider, type TestIdentityProvider } from '../../helpers/identity-provider';
import { startTestServer, type TestServer } from '../../helpers/server';
import { eventually } from '../../helpers/wait-for';

let idp: TestIdentityProvider;
let server: TestServer;

beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(async () => {
  await idp.stop();
});
beforeEach(async () => {
  idp.nextUser({ sub: 'alice-at-provider', email: 'alice@provider.test', email_verified: true, preferred_username: 'alice' });
  server = await startTestServer(OIDC_TEST(idp.issuer));
});
afterEach(async () => {
  await server.stop();
});

/** Starts a flow in `jar`: returns the provider's authorization URL. */
async function begin(jar: CookieJar, query = '?next=/notes'): Promise<string> {
  const start = await jar.get_(`${server.url}/auth/oauth/test${query}`);
  expect(start.status).toBe(302);
  return locationOf(start, server.url);
}

/** The provider's answer: the callback URL it sends the browser to. */
async function consent(authorizeUrl: string): Promise<string> {
  const answer = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(answer.status).toBe(302);
  return locationOf(answer, authorizeUrl);
}

const sessionCookie = 'statehouse_session';

describe('a provider sign-in', () => {
  test('sends the browser to the discovered endpoint with PKCE S256, a state, a nonce and an HttpOnly state cookie', async () => {
    const jar = new CookieJar();
    const start = await jar.get_(`${server.url}/auth/oauth/test?next=/notes`);
    const target = new URL(locationOf(start, server.url));
    expect(target.origin + target.pathname).toBe(`${idp.issuer}/authorize`);
    expect(target.searchParams.get('code_challenge_method')).toBe('S256');
    expect(target.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(target.searchParams.get('state')).toBeTruthy();
    expect(target.searchParams.get('nonce')).toBeTruthy();
    expect(target.searchParams.get('redirect_uri')).toBe(`${server.url}/auth/oauth/test/callback`);
    const [stateCookie] = start.headers.getSetCookie();
    expect(stateCookie).toContain('HttpOnly');
    expect(stateCookie).toContain('SameSite=Lax');
    expect(stateCookie).toMatch(/Max-Age=600/);
    // Nothing of the flow is in the cookie but a token: the verifier and nonce are sealed server-side.
    expect(stateCookie).not.toContain(target.searchParams.get('nonce')!);
  });

  test('signs in a new user, sets the HttpOnly session cookie itself and lands on the safe ?next=', async () => {
    const jar = new CookieJar();
    const callback = await consent(await begin(jar));
    const done = await jar.get_(callback);
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/notes');
    const cookies = done.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith(`${sessionCookie}=`))).toContain('HttpOnly');
    expect(jar.get('statehouse_oauth')).toBeUndefined();
    // The cookie is a live session of the new account, linked to the identity.
    const socket = await server.open({ cookie: jar.header() });
    const me = await socket.ok('query', 'probe.whoami');
    expect(me.data.username).toBe('alice');
    await socket.close();
    const [identity] = await server.db.db.select().from(providerIdentities);
    expect(identity).toMatchObject({ provider: 'test', subject: 'alice-at-provider', accessToken: null, refreshToken: null });
  });

  test('an unsafe ?next= falls back to the configured landing page', async () => {
    const jar = new CookieJar();
    const done = await jar.get_(await consent(await begin(jar, `?next=${encodeURIComponent('//evil.example/x')}`)));
    expect(done.headers.get('location')).toBe('/');
  });

  test('a second sign-in with the same identity finds the same user', async () => {
    for (let i = 0; i < 2; i++) {
      const jar = new CookieJar();
      expect((await jar.get_(await consent(await begin(jar)))).status).toBe(303);
    }
    expect(await server.db.db.select().from(users)).toHaveLength(1);
    // The audit log: the identity linked once, two sign-ins by provider.
    await eventually(async () => {
      const rows = await server.db.db.select().from(auditEvents).orderBy(auditEvents.id);
      expect(rows.map((row) => [row.type, row.via, JSON.parse(row.detail)])).toEqual([
        ['provider.connected', 'http', { provider: 'test' }],
        ['login.succeeded', 'http', { method: 'oauth:test' }],
        ['login.succeeded', 'http', { method: 'oauth:test' }],
      ]);
    });
  });

  test('a callback without the state cookie is refused (login CSRF): no session', async () => {
    const jar = new CookieJar();
    const callback = await consent(await begin(jar));
    const stranger = new CookieJar();
    const done = await stranger.get_(callback);
    expect(done.headers.get('location')).toBe('/login?error=oauth_state');
    expect(stranger.get(sessionCookie)).toBeUndefined();
  });

  test('a tampered state is refused, and the flow is spent', async () => {
    const jar = new CookieJar();
    const callback = new URL(await consent(await begin(jar)));
    const cookie = jar.get('statehouse_oauth');
    callback.searchParams.set('state', 'forged-state');
    const done = await jar.get_(callback.href);
    expect(done.headers.get('location')).toBe('/login?error=oauth_state');
    expect(jar.get(sessionCookie)).toBeUndefined();
    // The genuine state is no good any more either: the flow was claimed.
    jar.set('statehouse_oauth', cookie!);
    callback.searchParams.set('state', new URL(await consent(await begin(new CookieJar()))).searchParams.get('state')!);
    expect((await jar.get_(callback.href)).headers.get('location')).toBe('/login?error=oauth_state');
  });

  test('a missing state is refused', async () => {
    const jar = new CookieJar();
    const callback = new URL(await consent(await begin(jar)));
    callback.searchParams.delete('state');
    expect((await jar.get_(callback.href)).headers.get('location')).toBe('/login?error=oauth_state');
  });

  test('a replayed callback (same cookie, state and code) is refused', async () => {
    const jar = new CookieJar();
    const callback = await consent(await begin(jar));
    const cookie = jar.get('statehouse_oauth')!;
    expect((await jar.get_(callback)).status).toBe(303);
    const replay = new CookieJar();
    replay.set('statehouse_oauth', cookie);
    const again = await replay.get_(callback);
    expect(again.headers.get('location')).toBe('/login?error=oauth_state');
    expect(replay.get(sessionCookie)).toBeUndefined();
  });

  test('an ID token with another nonce is refused', async () => {
    idp.nextUser({ sub: 'alice-at-provider', email: 'alice@provider.test', email_verified: true, nonce: 'not-the-one-we-sent' });
    const jar = new CookieJar();
    const done = await jar.get_(await consent(await begin(jar)));
    expect(done.headers.get('location')).toBe('/login?error=oauth_failed');
    expect(jar.get(sessionCookie)).toBeUndefined();
    expect(await server.db.db.select().from(users)).toHaveLength(0);
  });

  test('an ID token for another audience or from another issuer is refused', async () => {
    for (const claims of [{ aud: 'someone-else' }, { iss: 'https://issuer.example' }, { exp: Math.floor(Date.now() / 1000) - 3600 }]) {
      idp.nextUser({ sub: 'mallory', ...claims });
      const jar = new CookieJar();
      const done = await jar.get_(await consent(await begin(jar)));
      expect(done.headers.get('location')).toBe('/login?error=oauth_failed');
    }
    expect(await server.db.db.select().from(users)).toHaveLength(0);
  });

  test('an ID token signed by another key is refused', async () => {
    const other = await startIdentityProvider();
    try {
      // The provider's token endpoint answers with a token the other issuer's key signed.
      const forged = await other.server.issuer.buildToken({
        scopesOrTransform: (_header: unknown, payload: Record<string, unknown>) =>
          Object.assign(payload, { iss: idp.issuer, aud: 'statehouse-test', sub: 'mallory' }),
      });
      idp.server.service.once(Events.BeforeResponse, (response) => {
        (response.body as Record<string, unknown>).id_token = forged;
      });
      const jar = new CookieJar();
      const done = await jar.get_(await consent(await begin(jar)));
      expect(done.headers.get('location')).toBe('/login?error=oauth_failed');
    } finally {
      await other.stop();
    }
  });

  test('an error from the provider (access_denied) lands on the login page with a message code, no session', async () => {
    const jar = new CookieJar();
    const authorize = await begin(jar);
    idp.server.service.once(Events.BeforeAuthorizeRedirect, ({ url }) => {
      url.searchParams.delete('code');
      url.searchParams.set('error', 'access_denied');
    });
    const done = await jar.get_(await consent(authorize));
    expect(done.headers.get('location')).toBe('/login?error=oauth_denied');
    expect(jar.get(sessionCookie)).toBeUndefined();
  });

  test('a token endpoint error (invalid_grant) is refused without a session', async () => {
    idp.server.service.once(Events.BeforeResponse, (response) => {
      response.body = { error: 'invalid_grant' };
      response.statusCode = 400;
    });
    const jar = new CookieJar();
    const done = await jar.get_(await consent(await begin(jar)));
    expect(done.headers.get('location')).toBe('/login?error=oauth_failed');
  });

  test('an unknown provider is 404', async () => {
    expect((await fetch(`${server.url}/auth/oauth/nobody`, { redirect: 'manual' })).status).toBe(404);
  });
});

describe('the session a provider sign-in starts', () => {
  test("rotates the browser's session, keeps its data, and tells its open tabs to follow", async () => {
    // An anonymous visitor with session data, and an open tab of the same browser.
    const { token, sessionId } = await anonymousSession(server);
    const jar = new CookieJar();
    jar.set(sessionCookie, token);
    const sibling = await server.open({ cookie: jar.header() });
    await sibling.subscribeState();
    const pushesBefore = sibling.pushes.length;
    const done = await jar.get_(await consent(await begin(jar)));
    expect(done.status).toBe(303);
    expect(jar.get(sessionCookie)).not.toBe(token);
    await sibling.waitForPushes(pushesBefore + 1);
    const follow = sibling.pushes.at(-1).actions.find((a: { type: string }) => a.type === 'followSession');
    expect(follow).toMatchObject({ type: 'followSession', reload: false });
    // The landing page learns the new session's tag, to announce it to tabs that had none.
    expect(jar.get('statehouse_signed_in')).toBe(follow.session);
    // The old session is gone; the new one carries its data.
    const signedIn = await server.open({ cookie: jar.header() });
    expect((await signedIn.ok('query', 'probe.sessionGet', { key: 'seen' })).data).toBe('yes');
    expect(await server.statehouse.runtime.sessions.find(sessionId)).toBeNull();
    for (const s of [sibling, signedIn]) await s.close();
  });
});

/** An anonymous session with data, as a visitor's first session write makes one. */
async function anonymousSession(server: TestServer): Promise<{ token: string; sessionId: string }> {
  const { createSession } = await import('../../../server/auth/session');
  const { runtime } = server.statehouse;
  const { token, session } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: null });
  await runtime.sessions.writeKey(session.id, 'seen', JSON.stringify('yes'), Date.now());
  return { token, sessionId: session.id };
}

describe('account rules', () => {
  test('a verified address that belongs to an account whose address is not verified is refused, never merged', async () => {
    await server.userWithSession('alice-local');
    await server.db.db.update(users).set({ email: 'alice@provider.test' }).where(eq(users.username, 'alice-local'));
    const jar = new CookieJar();
    const done = await jar.get_(await consent(await begin(jar)));
    expect(done.headers.get('location')).toBe('/login?error=oauth_account_exists');
    expect(await server.db.db.select().from(providerIdentities)).toHaveLength(0);
  });

  test('a verified address that belongs to an account whose address is verified joins that account', async () => {
    const alice = await server.userWithSession('alice-local');
    await server.db.db.update(users).set({ email: 'alice@provider.test', emailVerified: true }).where(eq(users.id, alice.userId));
    const jar = new CookieJar();
    const done = await jar.get_(await consent(await begin(jar)));
    expect(done.status).toBe(303);
    expect(await server.db.db.select().from(users)).toHaveLength(1);
    const [identity] = await server.db.db.select().from(providerIdentities);
    expect(identity?.userId).toBe(alice.userId);
  });

  test('an address the provider does not vouch for is not taken: a new account without it', async () => {
    idp.nextUser({ sub: 'bob-at-provider', email: 'bob@provider.test', email_verified: false, preferred_username: 'bob' });
    const jar = new CookieJar();
    expect((await jar.get_(await consent(await begin(jar)))).status).toBe(303);
    const [bob] = await server.db.db.select().from(users);
    expect(bob).toMatchObject({ username: 'bob', email: null });
  });

  test('a taken username gets a suffix', async () => {
    await server.userWithSession('alice');
    idp.nextUser({ sub: 'alice-at-provider', preferred_username: 'alice' });
    const jar = new CookieJar();
    expect((await jar.get_(await consent(await begin(jar)))).status).toBe(303);
    expect((await server.db.db.select().from(users)).map((u) => u.username).sort()).toEqual(['alice', 'alice-2']);
  });

  test('with sign-up closed a new identity is refused with a clear code', async () => {
    await server.stop();
    server = await startTestServer({ ...OIDC_TEST(idp.issuer), auth: { signupEnabled: false } });
    const jar = new CookieJar();
    const done = await jar.get_(await consent(await begin(jar)));
    expect(done.headers.get('location')).toBe('/login?error=oauth_signup_closed');
  });

  test('connect links the identity to the signed-in user and keeps their session', async () => {
    const { userId, cookie } = await server.userWithSession('carol');
    const jar = new CookieJar();
    jar.set(sessionCookie, cookie.split('=')[1]!);
    const start = await jar.get_(`${server.url}/auth/oauth/test?intent=connect&next=/settings`, {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    const done = await jar.get_(await consent(locationOf(start, server.url)));
    expect(done.headers.get('location')).toBe('/settings');
    expect(jar.get(sessionCookie)).toBe(cookie.split('=')[1]);
    const [identity] = await server.db.db.select().from(providerIdentities);
    expect(identity).toMatchObject({ userId, subject: 'alice-at-provider' });
  });

  test('connect started from another site is refused', async () => {
    const { cookie } = await server.userWithSession('carol');
    const start = await fetch(`${server.url}/auth/oauth/test?intent=connect`, {
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
      redirect: 'manual',
    });
    expect(start.status).toBe(403);
  });

  test('an identity linked to one user cannot be connected to another', async () => {
    const first = new CookieJar();
    await first.get_(await consent(await begin(first)));
    const { cookie } = await server.userWithSession('dave');
    const jar = new CookieJar();
    jar.set(sessionCookie, cookie.split('=')[1]!);
    const start = await jar.get_(`${server.url}/auth/oauth/test?intent=connect&next=/settings`, {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    const done = await jar.get_(await consent(locationOf(start, server.url)));
    expect(done.headers.get('location')).toBe('/settings?error=oauth_identity_taken');
  });
});

describe('provider tokens', () => {
  test('with oauth.storeTokens they are kept encrypted under oauth.tokenKey, never in clear', async () => {
    const key = Buffer.alloc(32, 9);
    await server.stop();
    server = await startTestServer({
      ...OIDC_TEST(idp.issuer),
      oauth: { ...OIDC_TEST(idp.issuer).oauth, storeTokens: true, tokenKey: key.toString('base64') },
    });
    let issued = '';
    idp.server.service.once(Events.BeforeResponse, (response) => {
      issued = (response.body as { access_token: string }).access_token;
    });
    const jar = new CookieJar();
    expect((await jar.get_(await consent(await begin(jar)))).status).toBe(303);
    const [identity] = await server.db.db.select().from(providerIdentities);
    expect(identity!.accessToken).not.toBeNull();
    expect(identity!.accessToken!.toString('utf8')).not.toContain(issued.slice(0, 40));
    expect(openWith(key, new Uint8Array(identity!.accessToken!))).toBe(issued);
    expect(openWith(Buffer.alloc(32, 1), new Uint8Array(identity!.accessToken!))).toBeNull();
  });
});
