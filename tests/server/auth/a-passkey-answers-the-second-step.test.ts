import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditEvents, sessions } from '../../../db/schema';
import { createSession } from '../../../server/auth/session';
import { createTestUser } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import { SoftwareAuthenticator } from '../../helpers/software-authenticator';
import type { TestSocket } from '../../helpers/socket-client';
import { TestAuthenticator } from '../../helpers/two-factor';
import { eventually } from '../../helpers/wait-for';

const PASSWORD = 'correct horse battery';

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ twoFactor: { enabled: true }, rateLimit: { ipBurst: 200, ipPerMinute: 200, accountFreeFailures: 50 } });
});
afterEach(async () => {
  await server.stop();
});

/**
 * `ada` with a password, two-factor on and one passkey held by the returned
 * authenticator; signed out, no session left.
 */
async function adaWithTwoFactorAndAPasskey(username = 'ada'): Promise<{ userId: number; key: SoftwareAuthenticator }> {
  const row = await createTestUser(server.db.db, { username, email: `${username}@example.com`, password: PASSWORD });
  const { runtime } = server.statehouse;
  const { token } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: row.id });
  const ws = await server.open({ cookie: `${runtime.config.auth.cookieName}=${token}` });
  const setup = await ws.ok('mutation', 'auth.beginTwoFactorSetup');
  await ws.ok('mutation', 'auth.enableTwoFactor', { code: new TestAuthenticator(setup.data.setupKey).codeAt(Date.now()) });
  const key = new SoftwareAuthenticator({ origin: new URL(server.url).origin, userVerified: false });
  const options = (await ws.ok('mutation', 'auth.passkeyRegistrationOptions')).data;
  await ws.ok('mutation', 'auth.addPasskey', { response: key.register(options), name: 'Key' });
  await ws.close();
  await server.db.db.delete(sessions).where(eq(sessions.userId, row.id));
  return { userId: row.id, key };
}

/** A login tab whose password step left a second step pending. */
async function pendingTab(username = 'ada'): Promise<TestSocket> {
  const ws = await server.open({ path: '/login', query: '?next=/notes' });
  const reply = await ws.call('mutation', 'auth.login', { loginId: username, password: PASSWORD });
  expect((reply.result?.data as any).data).toEqual({ secondStep: true });
  return ws;
}

describe('a passkey answers the second step', () => {
  test('the page offers it; the pending user’s passkey signs in with the method password+passkey, even without user verification', async () => {
    const { userId, key } = await adaWithTwoFactorAndAPasskey();
    const ws = await pendingTab();
    expect((await ws.ok('query', 'auth.secondStep')).data).toMatchObject({ pending: true, passkey: true });
    const options = (await ws.ok('mutation', 'auth.secondStepPasskeyOptions')).data;
    expect(options.allowCredentials).toHaveLength(1);
    const done = await ws.ok('mutation', 'auth.verifySecondFactorWithPasskey', { response: key.assert(options) });
    expect(done.data).toEqual({ username: 'ada' });
    expect(done.actions).toEqual([
      { type: 'syncCookieThenNavigate', ticket: expect.any(String), to: '/notes', session: expect.any(String) },
    ]);
    const [session] = await server.db.db.select().from(sessions).where(eq(sessions.userId, userId));
    expect(session?.signInMethod).toBe('password+passkey');
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('ada');
    await ws.close();
  });

  test('without a pending step there are no options and nothing to answer', async () => {
    await adaWithTwoFactorAndAPasskey();
    const ws = await server.open({ path: '/two-factor' });
    expect((await ws.ok('query', 'auth.secondStep')).data).toMatchObject({ pending: false, passkey: false });
    const options = await ws.call('mutation', 'auth.secondStepPasskeyOptions');
    expect(options.error?.data.statehouse.reason).toBe('SECOND_STEP_EXPIRED');
    await ws.close();
  });

  test('another user’s passkey is refused, counted as a wrong answer, and signs nobody in', async () => {
    const { userId, key: ada } = await adaWithTwoFactorAndAPasskey('ada');
    const { key: grace } = await adaWithTwoFactorAndAPasskey('grace');
    const ws = await pendingTab('ada');
    const options = (await ws.ok('mutation', 'auth.secondStepPasskeyOptions')).data;
    const reply = await ws.call('mutation', 'auth.verifySecondFactorWithPasskey', {
      response: grace.assert(options, { credentialId: grace.credentials[0]!.id }),
    });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    expect(await server.db.db.select().from(sessions).where(eq(sessions.userId, userId))).toHaveLength(0);
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await eventually(async () => {
      const failed = await server.db.db.select().from(auditEvents).where(eq(auditEvents.type, 'two_factor.failed'));
      expect(failed.map((row) => JSON.parse(row.detail))).toEqual([{ factor: 'passkey' }]);
    });
    // The step is still pending, and the right passkey still completes it (with fresh options).
    expect((await ws.ok('query', 'auth.secondStep')).data.pending).toBe(true);
    const fresh = (await ws.ok('mutation', 'auth.secondStepPasskeyOptions')).data;
    await ws.ok('mutation', 'auth.verifySecondFactorWithPasskey', { response: ada.assert(fresh) });
    expect(await server.db.db.select().from(sessions).where(eq(sessions.userId, userId))).toHaveLength(1);
    await ws.close();
  });

  test('the challenge is bound to the tab that holds the step: another tab’s answer is refused', async () => {
    const { key } = await adaWithTwoFactorAndAPasskey();
    const tab = await pendingTab();
    const other = await pendingTab();
    const options = (await tab.ok('mutation', 'auth.secondStepPasskeyOptions')).data;
    const response = key.assert(options);
    const stolen = await other.call('mutation', 'auth.verifySecondFactorWithPasskey', { response });
    expect(stolen.error?.data.code).toBe('BAD_REQUEST');
    expect((await other.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await tab.close();
    await other.close();
  });
});
