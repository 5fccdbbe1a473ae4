import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { pendingSecondSteps, sessions, users } from '../../../db/schema';
import { issueUserToken } from '../../../server/auth/user-tokens';
import type { StatehouseConfigInput } from '../../../server';
import { CookieJar, pressSignInLink, providerSignIn } from '../../helpers/browser-flow';
import { createTestUser } from '../../helpers/db';
import { startIdentityProvider, type TestIdentityProvider } from '../../helpers/identity-provider';
import { OIDC_TEST } from '../../helpers/oidc-config';
import { startTestServer, type TestServer } from '../../helpers/server';
import { turnOnTwoFactorFor } from '../../helpers/two-factor';

/** Sign-ins that end over HTTP keep their second step too: no session until the code. */
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

async function start(extra: StatehouseConfigInput = {}): Promise<void> {
  const oidc = OIDC_TEST(idp.issuer);
  server = await startTestServer({
    ...oidc,
    ...extra,
    oauth: { ...oidc.oauth, ...extra.oauth },
    auth: { magicLink: true },
    twoFactor: { enabled: true },
  });
}

async function sessionsOf(userId: number) {
  return server.db.db.select().from(sessions).where(eq(sessions.userId, userId));
}

/** Presses **Sign in** on an emailed link's page, as the browser in `jar`. */
function useLink(jar: CookieJar, token: string): Promise<Response> {
  return pressSignInLink(jar, server.url, token);
}

describe('after an emailed sign-in link', () => {
  beforeEach(() => start());

  test('no session: a pending-step cookie and the two-factor page, completed by that browser’s socket', async () => {
    const user = await createTestUser(server.db.db, { username: 'ada', email: 'ada@example.com', emailVerified: true });
    const { app } = await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, user.id);
    const token = await issueUserToken(server.db.db, 'sign_in_link', user.id, 15 * 60_000);
    const jar = new CookieJar();
    const res = await useLink(jar, token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/two-factor?next=%2F');
    const pending = res.headers.getSetCookie().find((c) => c.startsWith('statehouse_session_second_step='))!;
    expect(pending).toContain('HttpOnly');
    expect(pending).toMatch(/Max-Age=300/);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('statehouse_session='))).toBe(false);
    expect(await sessionsOf(user.id)).toHaveLength(0);

    // Another browser (no cookie) has nothing to complete.
    const stranger = await server.open({ path: '/two-factor' });
    expect((await stranger.ok('query', 'auth.secondStep')).data.pending).toBe(false);
    const stolen = await stranger.call('mutation', 'auth.verifySecondFactor', { code: app.codeAt() });
    expect(stolen.error?.data.statehouse.reason).toBe('SECOND_STEP_EXPIRED');

    const ws = await server.open({ cookie: jar.header(), path: '/two-factor', query: '?next=%2Fnotes' });
    expect((await ws.ok('query', 'auth.secondStep')).data.pending).toBe(true);
    const done = await ws.ok('mutation', 'auth.verifySecondFactor', { code: app.codeAt() });
    expect(done.actions[0]).toMatchObject({ type: 'syncCookieThenNavigate', to: '/notes' });
    const [session] = await sessionsOf(user.id);
    expect(session?.signInMethod).toBe('email-link+totp');
    expect(await server.db.db.select().from(pendingSecondSteps)).toHaveLength(0);
    // The cookie exchange expires the pending-step cookie.
    const exchanged = await jar.get_(`${server.url}/auth/session`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ ticket: done.actions[0].ticket }),
    });
    expect(exchanged.status).toBe(204);
    expect(jar.get('statehouse_session_second_step')).toBeUndefined();
    expect(jar.get('statehouse_session')).toBeTruthy();
    await ws.close();
    await stranger.close();
  });

  test('five wrong codes end the pending step for good', async () => {
    const user = await createTestUser(server.db.db, { username: 'ada', email: 'ada@example.com', emailVerified: true });
    const { app } = await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, user.id);
    const jar = new CookieJar();
    await useLink(jar, await issueUserToken(server.db.db, 'sign_in_link', user.id, 15 * 60_000));
    for (let i = 0; i < 5; i++) {
      const ws = await server.open({ cookie: jar.header() });
      const wrong = await ws.call('mutation', 'auth.verifySecondFactor', { code: String(200000 + i) });
      expect(wrong.error?.data.code).toBe('BAD_REQUEST');
      await ws.close();
    }
    const ws = await server.open({ cookie: jar.header() });
    const late = await ws.call('mutation', 'auth.verifySecondFactor', { code: app.codeAt() });
    expect(late.error?.data.statehouse.reason).toBe('SECOND_STEP_EXPIRED');
    expect(await sessionsOf(user.id)).toHaveLength(0);
    await ws.close();
  });
});

describe('after a provider sign-in', () => {
  /** Signs `alice` up through the provider (no two-factor yet), then turns it on. */
  async function aliceWithTwoFactor() {
    const first = await providerSignIn(new CookieJar(), server.url);
    expect(first.headers.get('location')).toBe('/notes');
    const [alice] = await server.db.db.select().from(users).where(eq(users.username, 'alice'));
    await server.db.db.delete(sessions);
    return { alice: alice!, ...(await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, alice!.id)) };
  }

  test('the callback creates no session and sends the browser to the two-factor page, next kept', async () => {
    await start();
    idp.nextUser({
      sub: 'alice-at-provider',
      email: 'alice@provider.test',
      email_verified: true,
      preferred_username: 'alice',
      amr: ['mfa'],
    });
    const { alice, app } = await aliceWithTwoFactor();
    const jar = new CookieJar();
    const res = await providerSignIn(jar, server.url);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/two-factor?next=%2Fnotes');
    expect(await sessionsOf(alice.id)).toHaveLength(0);
    const ws = await server.open({ cookie: jar.header(), path: '/two-factor', query: '?next=%2Fnotes' });
    await ws.ok('mutation', 'auth.verifySecondFactor', { code: app.codeAt() });
    const [session] = await sessionsOf(alice.id);
    expect(session?.signInMethod).toBe('oauth:test+totp');
    await ws.close();
  });

  test('with oauth.trustProviderMfa, an amr claim of a second factor is the second step', async () => {
    await start({ oauth: { trustProviderMfa: true } });
    idp.nextUser({
      sub: 'alice-at-provider',
      email: 'alice@provider.test',
      email_verified: true,
      preferred_username: 'alice',
      amr: ['pwd', 'mfa'],
    });
    const { alice } = await aliceWithTwoFactor();
    const res = await providerSignIn(new CookieJar(), server.url);
    expect(res.headers.get('location')).toBe('/notes');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('statehouse_session='))).toBe(true);
    expect((await sessionsOf(alice.id))[0]?.signInMethod).toBe('oauth:test');
  });

  test('with oauth.trustProviderMfa, a password alone at the provider still needs the code', async () => {
    await start({ oauth: { trustProviderMfa: true } });
    idp.nextUser({
      sub: 'alice-at-provider',
      email: 'alice@provider.test',
      email_verified: true,
      preferred_username: 'alice',
      amr: ['pwd'],
    });
    const { alice } = await aliceWithTwoFactor();
    const res = await providerSignIn(new CookieJar(), server.url);
    expect(res.headers.get('location')).toBe('/two-factor?next=%2Fnotes');
    expect(await sessionsOf(alice.id)).toHaveLength(0);
  });
});
