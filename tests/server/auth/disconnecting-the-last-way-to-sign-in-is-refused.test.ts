import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { providerIdentities, users } from '../../../db/schema';
import { hashPassword } from '../../../server/auth/password';
import { CookieJar, locationOf } from '../../helpers/browser-flow';
import { TEST_HASHING } from '../../helpers/db';
import { startIdentityProvider, type TestIdentityProvider } from '../../helpers/identity-provider';
import { OIDC_TEST } from '../../helpers/oidc-config';
import { startTestServer, type TestServer } from '../../helpers/server';

let idp: TestIdentityProvider;
let server: TestServer;
beforeAll(async () => {
  idp = await startIdentityProvider();
});
afterAll(async () => {
  await idp.stop();
});
beforeEach(async () => {
  idp.nextUser({ sub: 'erin-at-provider', email: 'erin@provider.test', email_verified: true, preferred_username: 'erin' });
  server = await startTestServer(OIDC_TEST(idp.issuer, { label: 'Test Provider' }));
});
afterEach(async () => {
  await server.stop();
});

/** Signs up through the provider: an account whose only way in is that provider. */
async function signUpWithProvider(): Promise<CookieJar> {
  const jar = new CookieJar();
  const start = await jar.get_(`${server.url}/auth/oauth/test`);
  const authorize = locationOf(start, server.url);
  const callback = locationOf(await fetch(authorize, { redirect: 'manual' }), authorize);
  expect((await jar.get_(callback)).status).toBe(303);
  return jar;
}

describe('Connected accounts', () => {
  test('lists each configured provider, connected or not, without tokens', async () => {
    const jar = await signUpWithProvider();
    const ws = await server.open({ cookie: jar.header() });
    const { data } = await ws.ok('query', 'auth.connectedAccounts');
    expect(data).toEqual([
      {
        provider: 'test',
        label: 'Test Provider',
        account: { id: expect.any(Number), email: 'erin@provider.test', createdAt: expect.any(Number) },
      },
    ]);
    await ws.close();
  });

  test('the site slice names the configured providers for the login page', async () => {
    const ws = await server.open();
    const full = await ws.subscribeState();
    expect(full.delta.site.oauthProviders).toEqual([{ id: 'test', label: 'Test Provider' }]);
    expect(full.delta.site.magicLinkEnabled).toBe(false);
    await ws.close();
  });

  test('disconnecting the only way to sign in is refused', async () => {
    const jar = await signUpWithProvider();
    const ws = await server.open({ cookie: jar.header() });
    const [identity] = await server.db.db.select().from(providerIdentities);
    const reply = await ws.call('mutation', 'auth.disconnectAccount', { id: identity!.id });
    expect(reply.error?.data.code).toBe('PRECONDITION_FAILED');
    expect(await server.db.db.select().from(providerIdentities)).toHaveLength(1);
    await ws.close();
  });

  test('with a password set, the provider can be disconnected', async () => {
    const jar = await signUpWithProvider();
    await server.db.db
      .update(users)
      .set({ passwordHash: await hashPassword('a long enough password', TEST_HASHING) })
      .where(eq(users.username, 'erin'));
    const ws = await server.open({ cookie: jar.header() });
    const [identity] = await server.db.db.select().from(providerIdentities);
    await ws.ok('mutation', 'auth.disconnectAccount', { id: identity!.id });
    expect(await server.db.db.select().from(providerIdentities)).toHaveLength(0);
    await ws.close();
  });

  test("another user's identity cannot be disconnected", async () => {
    await signUpWithProvider();
    const { cookie } = await server.userWithSession('mallory');
    const ws = await server.open({ cookie });
    const [identity] = await server.db.db.select().from(providerIdentities);
    const reply = await ws.call('mutation', 'auth.disconnectAccount', { id: identity!.id });
    expect(reply.error?.data.code).toBe('NOT_FOUND');
    await ws.close();
  });

  test('bad input is a typed error', async () => {
    const { cookie } = await server.userWithSession('mallory');
    const ws = await server.open({ cookie });
    const reply = await ws.call('mutation', 'auth.disconnectAccount', { id: 'one' });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    await ws.close();
  });
});
