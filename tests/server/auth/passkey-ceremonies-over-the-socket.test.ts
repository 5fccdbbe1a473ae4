import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditEvents, passkeys, users } from '../../../db/schema';
import { linkIdentity, listIdentities } from '../../../server/auth/identities';
import { createSession, listUserSessions } from '../../../server/auth/session';
import { createLogger } from '../../../server/log';
import { createTestUser } from '../../helpers/db';
import { captureMail } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';
import { SoftwareAuthenticator } from '../../helpers/software-authenticator';
import type { TestSocket } from '../../helpers/socket-client';
import { eventually } from '../../helpers/wait-for';

const PASSWORD = 'a long enough passphrase';
const MINUTE = 60_000;

let server: TestServer;
let logLines: string[];
beforeEach(async () => {
  logLines = [];
  server = await startTestServer(
    { rateLimit: { ipBurst: 200, ipPerMinute: 200 } },
    { log: createLogger('info', (line) => void logLines.push(line)) },
  );
  captureMail(server.statehouse.runtime.mailer);
});
afterEach(async () => {
  await server.stop();
});

/** A user with a password, and a socket on a session that signed in `ageMs` ago. */
async function signedIn(username = 'ada', ageMs = 0): Promise<{ ws: TestSocket; userId: number; sessionId: string }> {
  const row = await createTestUser(server.db.db, { username, email: `${username}@example.com`, password: PASSWORD });
  const { runtime } = server.statehouse;
  const { token, session } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: row.id }, Date.now() - ageMs);
  return { ws: await server.open({ cookie: `${runtime.config.auth.cookieName}=${token}` }), userId: row.id, sessionId: session.id };
}

/** Registers a passkey on `ws`'s user with `authenticator`; answers the reply of `auth.addPasskey`. */
async function addPasskey(ws: TestSocket, authenticator: SoftwareAuthenticator, name = 'Laptop') {
  const options = (await ws.ok('mutation', 'auth.passkeyRegistrationOptions')).data;
  return ws.call('mutation', 'auth.addPasskey', { response: authenticator.register(options), name });
}

/** A fresh anonymous tab that asks for sign-in options and answers them with `authenticator`. */
async function passkeySignIn(authenticator: SoftwareAuthenticator, bend = {}) {
  const ws = await server.open({ path: '/login' });
  const options = (await ws.ok('mutation', 'auth.passkeySignInOptions')).data;
  const response = authenticator.assert(options, bend);
  return { ws, response, reply: await ws.call('mutation', 'auth.signInWithPasskey', { response }) };
}

function authenticatorFor(): SoftwareAuthenticator {
  return new SoftwareAuthenticator({ origin: new URL(server.url).origin });
}

async function auditRows() {
  return (await server.db.db.select().from(auditEvents).orderBy(auditEvents.id)).map((r) => [r.type, JSON.parse(r.detail)]);
}

describe('Add a passkey', () => {
  test('options name this site as the relying party, ask for a discoverable credential, and carry a random user handle', async () => {
    const { ws, userId } = await signedIn();
    const options = (await ws.ok('mutation', 'auth.passkeyRegistrationOptions')).data;
    expect(options.rp).toEqual({ id: '127.0.0.1', name: 'Statehouse' });
    expect(options.user.name).toBe('ada');
    // Random, never the user id.
    expect(Buffer.from(options.user.id, 'base64url')).toHaveLength(32);
    expect(options.user.id).not.toBe(Buffer.from(String(userId)).toString('base64url'));
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      requireResidentKey: true,
      userVerification: 'preferred',
    });
    expect(options.attestation).toBe('none');
    expect(Buffer.from(options.challenge, 'base64url')).toHaveLength(32);
    await ws.close();
  });

  test('a real attestation stores the passkey: the list shows its name, and nothing secret', async () => {
    const { ws, userId } = await signedIn();
    const authenticator = new SoftwareAuthenticator({ origin: new URL(server.url).origin, backedUp: true });
    const reply = await addPasskey(ws, authenticator);
    expect((reply.result?.data as any).data).toEqual({ id: expect.any(Number), name: 'Laptop' });
    const listed = (await ws.ok('query', 'auth.passkeys')).data;
    expect(listed).toEqual({
      passkeys: [{ id: expect.any(Number), name: 'Laptop', createdAt: expect.any(Number), lastUsedAt: null, backedUp: true }],
      hasPassword: true,
      mayRemovePassword: true,
    });
    const [row] = await server.db.db.select().from(passkeys);
    expect(row).toMatchObject({
      userId,
      credentialId: authenticator.credentials[0]!.id,
      counter: 1,
      deviceType: 'multiDevice',
      backedUp: true,
    });
    expect(JSON.parse(row!.transports)).toEqual(['internal']);
    // The credential id and public key never travel to the page.
    expect(ws.frames.join('\n')).not.toContain(row!.credentialId);
    await eventually(async () => expect(await auditRows()).toContainEqual(['passkey.added', { name: 'Laptop' }]));
    await ws.close();
  });

  test('a second passkey keeps the user handle; the same credential twice is refused', async () => {
    const { ws } = await signedIn();
    const first = authenticatorFor();
    await addPasskey(ws, first);
    const second = authenticatorFor();
    await addPasskey(ws, second, 'Phone');
    expect(second.credentials[0]!.userHandle).toBe(first.credentials[0]!.userHandle);
    const options = (await ws.ok('mutation', 'auth.passkeyRegistrationOptions')).data;
    expect(options.excludeCredentials.map((c: { id: string }) => c.id).sort()).toEqual(
      [first.credentials[0]!.id, second.credentials[0]!.id].sort(),
    );
    // An authenticator that ignores excludeCredentials and registers its credential again.
    const again = first.register(options, { credentialId: first.credentials[0]!.id });
    const reply = await ws.call('mutation', 'auth.addPasskey', { response: again });
    expect(reply.error?.data.code).toBe('CONFLICT');
    expect(reply.error?.message).toBe('This passkey is already added to an account.');
    // An answer whose id is not the credential its authenticator data names.
    const options2 = (await ws.ok('mutation', 'auth.passkeyRegistrationOptions')).data;
    const forged = { ...authenticatorFor().register(options2), id: first.credentials[0]!.id, rawId: first.credentials[0]!.id };
    expect((await ws.call('mutation', 'auth.addPasskey', { response: forged })).error?.data.code).toBe('BAD_REQUEST');
    expect(await server.db.db.select().from(passkeys)).toHaveLength(2);
    await ws.close();
  });

  test('needs a recent proof of the user, and a registration answered on another tab is refused', async () => {
    const stale = await signedIn('bea', 11 * MINUTE);
    const refused = await stale.ws.call('mutation', 'auth.passkeyRegistrationOptions');
    expect(refused.error?.data.statehouse.reason).toBe('REAUTH_REQUIRED');
    expect(refused.error?.data.statehouse.actions).toEqual([{ type: 'confirmIdentity', methods: ['password'] }]);
    await stale.ws.close();

    const { ws } = await signedIn('cy');
    const options = (await ws.ok('mutation', 'auth.passkeyRegistrationOptions')).data;
    const other = await signedIn('dee');
    const reply = await other.ws.call('mutation', 'auth.addPasskey', { response: authenticatorFor().register(options) });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    expect(reply.error?.message).toBe('That passkey prompt expired. Please try again.');
    expect(await server.db.db.select().from(passkeys)).toHaveLength(0);
    await ws.close();
    await other.ws.close();
  });

  test('a response that is not WebAuthn JSON is a typed validation error', async () => {
    const { ws } = await signedIn();
    const reply = await ws.call('mutation', 'auth.addPasskey', { response: { id: 'x', response: 'nope' } });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    const huge = await ws.call('mutation', 'auth.signInWithPasskey', { response: { id: 'a'.repeat(5000) } });
    expect(huge.error?.data.code).toBe('BAD_REQUEST');
    expect((await ws.ok('query', 'auth.passkeys')).data.passkeys).toEqual([]);
    await ws.close();
  });
});

describe('Sign in with a passkey', () => {
  async function registered(): Promise<{ authenticator: SoftwareAuthenticator; userId: number }> {
    const { ws, userId } = await signedIn();
    const authenticator = authenticatorFor();
    await addPasskey(ws, authenticator);
    await ws.close();
    return { authenticator, userId };
  }

  test('signs in with the same rotation and cookie ticket as a password; the session says passkey; no token in a frame', async () => {
    const { authenticator, userId } = await registered();
    const { ws, reply } = await passkeySignIn(authenticator);
    const envelope = reply.result?.data as any;
    expect(envelope.data).toEqual({ username: 'ada' });
    expect(envelope.delta.auth).toMatchObject({ username: 'ada', isAuthenticated: true });
    expect(envelope.actions).toEqual([
      { type: 'syncCookieThenNavigate', ticket: expect.any(String), to: '/', session: expect.any(String) },
    ]);
    const redeemed = await fetch(`${server.url}/auth/session`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body: JSON.stringify({ ticket: envelope.actions[0].ticket }),
    });
    expect(redeemed.status).toBe(204);
    const setCookie = redeemed.headers.get('set-cookie')!;
    expect(setCookie).toContain('HttpOnly');
    const token = setCookie.split(';')[0]!.split('=')[1]!;
    expect(ws.frames.join('\n')).not.toContain(token);
    const methods = (await listUserSessions(server.statehouse.runtime.sessions, userId)).map((s) => s.signInMethod);
    expect(methods).toContain('passkey');
    expect((await ws.ok('query', 'auth.sessions')).data.find((s: any) => s.current).signInMethod).toBe('passkey');
    const [row] = await server.db.db.select().from(passkeys);
    expect(row).toMatchObject({ counter: 2, lastUsedAt: expect.any(Number) });
    await eventually(async () => expect(await auditRows()).toContainEqual(['login.succeeded', { method: 'passkey' }]));
    await ws.close();
  });

  test('options ask for user verification and name no credential (the browser offers its discoverable ones)', async () => {
    const ws = await server.open();
    const options = (await ws.ok('mutation', 'auth.passkeySignInOptions')).data;
    expect(options).toMatchObject({ rpId: '127.0.0.1', userVerification: 'required', allowCredentials: [] });
    await ws.close();
  });

  test('a replayed answer is refused: the challenge was used', async () => {
    const { authenticator } = await registered();
    const { ws, response } = await passkeySignIn(authenticator);
    const again = await ws.call('mutation', 'auth.signInWithPasskey', { response });
    expect(again.error?.data.code).toBe('UNAUTHORIZED');
    expect(again.error?.message).toBe('That passkey prompt expired. Please try again.');
    await ws.close();
  });

  test('a challenge another connection asked for is refused', async () => {
    const { authenticator } = await registered();
    const asking = await server.open();
    const options = (await asking.ok('mutation', 'auth.passkeySignInOptions')).data;
    const other = await server.open();
    const reply = await other.call('mutation', 'auth.signInWithPasskey', { response: authenticator.assert(options) });
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    expect(reply.error?.data.statehouse?.actions ?? []).toEqual([]);
    // The asking tab's challenge is still its own and still good.
    const own = await asking.call('mutation', 'auth.signInWithPasskey', { response: authenticator.assert(options) });
    expect((own.result?.data as any).data).toEqual({ username: 'ada' });
    await asking.close();
    await other.close();
  });

  test('a challenge the server never issued is refused', async () => {
    const { authenticator } = await registered();
    const { reply } = await passkeySignIn(authenticator, {
      challenge: Buffer.from('made up by the client, 32 bytes!').toString('base64url'),
    });
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
  });

  test('a wrong origin, a wrong RP id and a registration posing as an assertion are refused', async () => {
    const { authenticator } = await registered();
    for (const bend of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }, { type: 'webauthn.create' }]) {
      const { ws, reply } = await passkeySignIn(authenticator, bend);
      expect(reply.error?.data.code).toBe('UNAUTHORIZED');
      expect(reply.error?.message).toBe('That passkey was not accepted.');
      await ws.close();
    }
    const [row] = await server.db.db.select().from(passkeys);
    expect(row?.lastUsedAt).toBeNull();
  });

  test('a user handle that is not the passkey’s is refused', async () => {
    const { authenticator } = await registered();
    const { reply } = await passkeySignIn(authenticator, { userHandle: Buffer.alloc(32, 7).toString('base64url') });
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
  });

  test('a counter that did not grow (a cloned authenticator) is refused, logged without secrets, and audited', async () => {
    const { authenticator, userId } = await registered();
    const clone = authenticator.clone();
    const first = await passkeySignIn(authenticator);
    expect((first.reply.result?.data as any).data).toEqual({ username: 'ada' });
    const cloned = await passkeySignIn(clone);
    expect(cloned.reply.error?.data.code).toBe('UNAUTHORIZED');
    expect(cloned.reply.error?.message).toBe('That passkey was not accepted.');
    const warning = logLines.find((l) => l.includes('counter did not grow'));
    expect(warning).toBeDefined();
    expect(warning).toContain(`userId=${userId}`);
    const response = cloned.response.response;
    for (const secret of [response.signature, response.authenticatorData, response.clientDataJSON, cloned.response.id]) {
      expect(logLines.join('\n')).not.toContain(secret);
    }
    await eventually(async () =>
      expect(await auditRows()).toContainEqual(['login.failed', { method: 'passkey', reason: 'counter_regression' }]),
    );
    expect((await server.db.db.select().from(passkeys))[0]?.counter).toBe(2);
  });

  test('an authenticator that keeps no counter (always 0) still signs in', async () => {
    const { ws } = await signedIn();
    const authenticator = new SoftwareAuthenticator({ origin: new URL(server.url).origin, counterStep: 0 });
    await addPasskey(ws, authenticator);
    for (let i = 0; i < 2; i++) expect(((await passkeySignIn(authenticator)).reply.result?.data as any).data).toEqual({ username: 'ada' });
    await ws.close();
  });

  test('without user verification a passkey does not sign in (it would be one factor)', async () => {
    const { ws } = await signedIn();
    const authenticator = new SoftwareAuthenticator({ origin: new URL(server.url).origin, userVerified: false });
    await addPasskey(ws, authenticator);
    expect((await passkeySignIn(authenticator)).reply.error?.data.code).toBe('UNAUTHORIZED');
    await ws.close();
  });

  test('an unknown credential is refused and audited without a user', async () => {
    await registered();
    const eve = await signedIn('eve');
    const stranger = authenticatorFor();
    // Made on real options, never sent: the server does not know this credential.
    stranger.register((await eve.ws.ok('mutation', 'auth.passkeyRegistrationOptions')).data);
    const { reply } = await passkeySignIn(stranger);
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    expect(reply.error?.message).toBe('That passkey was not accepted.');
    await eventually(async () =>
      expect(await auditRows()).toContainEqual(['login.failed', { method: 'passkey', reason: 'unknown_credential' }]),
    );
    await eve.ws.close();
  });

  test('a removed passkey no longer signs in', async () => {
    const { ws } = await signedIn();
    const authenticator = authenticatorFor();
    const added = (await addPasskey(ws, authenticator)).result?.data as any;
    await ws.ok('mutation', 'auth.removePasskey', { id: added.data.id });
    expect((await ws.ok('query', 'auth.passkeys')).data.passkeys).toEqual([]);
    expect((await passkeySignIn(authenticator)).reply.error?.data.code).toBe('UNAUTHORIZED');
    await eventually(async () => expect(await auditRows()).toContainEqual(['passkey.removed', { name: 'Laptop' }]));
    await ws.close();
  });

  test('an inactive user’s passkey does not sign in', async () => {
    const { authenticator, userId } = await registered();
    await server.db.db.update(users).set({ isActive: false }).where(eq(users.id, userId));
    const { reply } = await passkeySignIn(authenticator);
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
  });

  test('sign-in attempts are rate limited per IP like password logins; opening the login page is not', async () => {
    const { authenticator } = await registered();
    await server.stop();
    server = await startTestServer({ rateLimit: { ipBurst: 3, ipPerMinute: 1 } });
    // Login pages opening (each asks for options for the field's autofill) spend nothing of the address's budget.
    for (let i = 0; i < 5; i++) {
      const page = await server.open({ path: '/login' });
      await page.ok('mutation', 'auth.passkeySignInOptions');
      await page.close();
    }
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { ws, reply } = await passkeySignIn(authenticator);
      codes.push(reply.error?.data.code ?? 'OK');
      await ws.close();
    }
    // The passkey belongs to another server's database: each attempt is refused until the budget refuses first.
    expect(codes.slice(0, 3)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
    expect(codes.at(-1)).toBe('TOO_MANY_REQUESTS');
  });
});

describe('Confirm it’s you with a passkey', () => {
  test('a user with a passkey is offered it; the assertion renews the proof and the refused call then passes', async () => {
    const fresh = await signedIn();
    const authenticator = authenticatorFor();
    await addPasskey(fresh.ws, authenticator);
    await fresh.ws.close();
    const { runtime } = server.statehouse;
    const { token } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: fresh.userId }, Date.now() - 11 * MINUTE);
    const ws = await server.open({ cookie: `${runtime.config.auth.cookieName}=${token}` });
    const refused = await ws.call('mutation', 'auth.changeEmail', { email: 'ada@new.example' });
    expect(refused.error?.data.statehouse.actions).toEqual([{ type: 'confirmIdentity', methods: ['password', 'passkey'] }]);
    const options = (await ws.ok('mutation', 'auth.passkeyConfirmOptions')).data;
    expect(options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([authenticator.credentials[0]!.id]);
    expect((await ws.ok('mutation', 'auth.confirmIdentityWithPasskey', { response: authenticator.assert(options) })).data).toEqual({
      confirmed: true,
    });
    expect((await ws.ok('mutation', 'auth.changeEmail', { email: 'ada@new.example' })).data).toEqual({ sent: true });
    await eventually(async () => expect(await auditRows()).toContainEqual(['reauth.succeeded', { method: 'passkey' }]));
    await ws.close();
  });

  test('another user’s passkey does not confirm, and a confirm challenge does not sign in', async () => {
    const ada = await signedIn('ada');
    const adaKey = authenticatorFor();
    await addPasskey(ada.ws, adaKey);
    const bea = await signedIn('bea');
    await addPasskey(bea.ws, authenticatorFor());
    const options = (await bea.ws.ok('mutation', 'auth.passkeyConfirmOptions')).data;
    const reply = await bea.ws.call('mutation', 'auth.confirmIdentityWithPasskey', {
      response: adaKey.assert(options, { credentialId: adaKey.credentials[0]!.id }),
    });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    const confirmOptions = (await ada.ws.ok('mutation', 'auth.passkeyConfirmOptions')).data;
    const crossed = await ada.ws.call('mutation', 'auth.signInWithPasskey', { response: adaKey.assert(confirmOptions) });
    expect(crossed.error?.data.code).toBe('UNAUTHORIZED');
    await ada.ws.close();
    await bea.ws.close();
  });
});

describe('Remove password and the last way to sign in', () => {
  test('the password goes only while a passkey remains; then the last passkey stays', async () => {
    const { ws, userId } = await signedIn();
    const before = await ws.call('mutation', 'auth.removePassword');
    expect(before.error?.data.code).toBe('PRECONDITION_FAILED');
    expect(before.error?.message).toBe('Add a passkey before you remove your password.');
    const authenticator = authenticatorFor();
    const added = (await addPasskey(ws, authenticator)).result?.data as any;
    expect((await ws.ok('mutation', 'auth.removePassword')).data).toBeNull();
    const [row] = await server.db.db.select().from(users).where(eq(users.id, userId));
    expect(row?.passwordHash).toBe('!');
    expect((await ws.ok('query', 'auth.passkeys')).data).toMatchObject({ hasPassword: false, mayRemovePassword: false });
    const last = await ws.call('mutation', 'auth.removePasskey', { id: added.data.id });
    expect(last.error?.data.code).toBe('PRECONDITION_FAILED');
    expect(last.error?.message).toBe('This is your only way to sign in. Add another one first.');
    // The password cannot sign in any more; the passkey still does.
    const login = await (await server.open()).call('mutation', 'auth.login', { loginId: 'ada', password: PASSWORD });
    expect(login.error?.data.code).toBe('UNAUTHORIZED');
    expect(((await passkeySignIn(authenticator)).reply.result?.data as any).data).toEqual({ username: 'ada' });
    await eventually(async () => expect((await auditRows()).map((r) => r[0])).toContain('password.removed'));
    await ws.close();
  });

  test('removing the password ends the user’s other sessions; Confirm it’s you then offers only the passkey', async () => {
    const { ws, userId } = await signedIn();
    await addPasskey(ws, authenticatorFor());
    const { runtime } = server.statehouse;
    await createSession(runtime.sessions, runtime.sessionSettings, { userId });
    expect(await listUserSessions(runtime.sessions, userId)).toHaveLength(2);
    await ws.ok('mutation', 'auth.removePassword');
    expect(await listUserSessions(runtime.sessions, userId)).toHaveLength(1);
    const { token } = await createSession(runtime.sessions, runtime.sessionSettings, { userId }, Date.now() - 11 * MINUTE);
    const stale = await server.open({ cookie: `${runtime.config.auth.cookieName}=${token}` });
    const refused = await stale.call('mutation', 'auth.removePasskey', { id: 1 });
    expect(refused.error?.data.statehouse.actions).toEqual([{ type: 'confirmIdentity', methods: ['passkey'] }]);
    await stale.close();
    await ws.close();
  });

  test('one rule for every way in: a provider account may go while a passkey remains, and then the passkey may not', async () => {
    const row = await createTestUser(server.db.db, { username: 'pat' });
    await linkIdentity(server.db.db, { userId: row.id, provider: 'github', subject: '42', email: null }, null);
    const { runtime } = server.statehouse;
    const { token } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: row.id });
    const ws = await server.open({ cookie: `${runtime.config.auth.cookieName}=${token}` });
    const added = (await addPasskey(ws, authenticatorFor())).result?.data as any;
    const [identity] = await listIdentities(server.db.db, row.id);
    expect((await ws.ok('mutation', 'auth.disconnectAccount', { id: identity!.id })).data).toBeNull();
    const last = await ws.call('mutation', 'auth.removePasskey', { id: added.data.id });
    expect(last.error?.data.code).toBe('PRECONDITION_FAILED');
    await ws.close();
  });

  test('renaming is for the owner only and names are bounded', async () => {
    const ada = await signedIn('ada');
    const added = (await addPasskey(ada.ws, authenticatorFor())).result?.data as any;
    expect((await ada.ws.ok('mutation', 'auth.renamePasskey', { id: added.data.id, name: '  Work laptop ' })).data).toEqual({
      id: added.data.id,
      name: 'Work laptop',
    });
    const bea = await signedIn('bea');
    expect((await bea.ws.call('mutation', 'auth.renamePasskey', { id: added.data.id, name: 'Mine' })).error?.data.code).toBe('NOT_FOUND');
    expect((await bea.ws.call('mutation', 'auth.removePasskey', { id: added.data.id })).error?.data.code).toBe('NOT_FOUND');
    expect((await ada.ws.call('mutation', 'auth.renamePasskey', { id: added.data.id, name: 'x'.repeat(65) })).error?.data.code).toBe(
      'BAD_REQUEST',
    );
    expect((await ada.ws.ok('query', 'auth.passkeys')).data.passkeys[0].name).toBe('Work laptop');
    await ada.ws.close();
    await bea.ws.close();
  });
});

describe('a site without an origin to bind passkeys to', () => {
  test('refuses the options and says why in the log, once a minute however often login pages ask', async () => {
    await server.stop();
    const errors: string[] = [];
    const log = { level: 'error' as const, debug() {}, info() {}, warn() {}, error: (message: string) => errors.push(message) };
    // Behind a proxy naming a host that is neither loopback nor an allowed origin, and no publicUrl: nothing to bind a passkey to.
    server = await startTestServer({ allowedHosts: ['app.test'], trustedProxies: ['127.0.0.1'] }, { log });
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await server.open({ path: '/login', origin: 'http://app.test', headers: { 'x-forwarded-host': 'app.test' } });
      codes.push((await page.call('mutation', 'auth.passkeySignInOptions')).error?.data.code ?? 'OK');
      await page.close();
    }
    expect(codes).toEqual(Array(5).fill('PRECONDITION_FAILED'));
    expect(errors.filter((m) => m.startsWith('passkeys unavailable'))).toHaveLength(1);
  });
});
