import { afterEach, beforeEach, describe, expect, spyOn, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import { authTokens, sessions } from '../../../db/schema';
import { createSession } from '../../../server/auth/session';
import * as users from '../../../server/auth/users';
import { SocketProtocol } from '../../../server/bridge/socket-protocol';
import { createTempDir, createTestUser } from '../../helpers/db';
import { resetLinksIn } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
let mailDir: string;
beforeEach(async () => {
  mailDir = createTempDir('statehouse-mail-');
  server = await startTestServer({ mail: { backend: 'file', fileDir: mailDir } });
});
afterEach(async () => {
  await server.stop();
});

function makeUser(username: string, email: string) {
  return createTestUser(server.db.db, { username, email, password: 'original password 1' });
}

/** The reset token of the n-th mail, once the mails queued after their replies are sent. */
async function nthResetToken(n: number): Promise<string> {
  await server.statehouse.runtime.background.drain();
  const link = (await resetLinksIn(mailDir))[n - 1];
  if (!link) throw new Error(`no reset link in mail number ${n}`);
  return link.token;
}

describe('password reset', () => {
  test('answers the same for a known and an unknown address, and mails only the known one', async () => {
    await makeUser('alice', 'alice@example.com');
    const ws = await server.open();
    const known = await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    const unknown = await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'nobody@example.com' });
    expect(known).toEqual(unknown);
    await server.statehouse.runtime.background.drain();
    expect(readdirSync(mailDir)).toHaveLength(1);
    await nthResetToken(1);
    await ws.close();
  });

  test('the lookup and the mail happen after the reply: until it is written, a known and an unknown address cost the same work', async () => {
    await makeUser('alice', 'alice@example.com');
    const ws = await server.open();
    await ws.ok('query', 'probe.whoami');
    const client = server.db.client;
    const respond = SocketProtocol.prototype.respond;
    /** Statements run and addresses looked up before the reply frame, and after it. */
    async function measure(email: string) {
      const execute = spyOn(client, 'execute');
      const batch = spyOn(client, 'batch');
      const lookups = spyOn(users, 'findUserByEmail');
      const mails = spyOn(server.statehouse.runtime.mailer, 'send');
      const count = () => ({
        statements: execute.mock.calls.length + batch.mock.calls.length,
        lookups: lookups.mock.calls.length,
        mails: mails.mock.calls.length,
      });
      let atReply: ReturnType<typeof count> | null = null;
      const reply = spyOn(SocketProtocol.prototype, 'respond').mockImplementation(function (this: SocketProtocol<object>, ...args) {
        atReply ??= count();
        return respond.apply(this, args);
      });
      try {
        await ws.ok('mutation', 'auth.requestPasswordReset', { email });
        await server.statehouse.runtime.background.drain();
        return { atReply: atReply!, after: count() };
      } finally {
        for (const spy of [execute, batch, lookups, mails, reply]) spy.mockRestore();
      }
    }
    const known = await measure('alice@example.com');
    const unknown = await measure('nobody@example.com');
    expect(known.atReply).toEqual(unknown.atReply);
    expect(known.atReply).toEqual({ statements: 0, lookups: 0, mails: 0 });
    // Then, in the background: the lookup for both, the token and the mail for the known address only.
    expect(known.after.lookups).toBe(1);
    expect(unknown.after.lookups).toBe(1);
    expect(known.after.mails).toBe(1);
    expect(unknown.after.mails).toBe(0);
    expect(known.after.statements).toBeGreaterThan(unknown.after.statements);
    await ws.close();
  });

  test('the link sets a new password, ends every session (pushed) and signs this tab in; reuse is refused', async () => {
    const alice = await makeUser('alice', 'alice@example.com');
    const { token: oldToken } = await createSession(server.statehouse.runtime.sessions, server.statehouse.runtime.sessionSettings, {
      userId: alice.id,
    });
    const other = await server.open({ cookie: `statehouse_session=${oldToken}` });
    await other.subscribeState();
    const ws = await server.open();
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    const token = await nthResetToken(1);
    expect((await ws.ok('query', 'auth.checkPasswordResetToken', { token })).data).toEqual({ valid: true });
    const done = await ws.ok('mutation', 'auth.confirmPasswordReset', {
      token,
      newPassword: 'a fresh new secret',
      confirmPassword: 'a fresh new secret',
    });
    expect(done.data).toEqual({ username: 'alice' });
    expect(done.actions[0]).toMatchObject({ type: 'syncCookieThenNavigate', to: '/' });
    await other.waitForPushes(2);
    expect(other.pushes[1].actions[0].type).toBe('clearAuthThenNavigate');
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('alice');
    const rows = await server.db.db.select().from(sessions);
    expect(rows).toHaveLength(1);
    const again = await ws.call('mutation', 'auth.confirmPasswordReset', {
      token,
      newPassword: 'yet another secret',
      confirmPassword: 'yet another secret',
    });
    expect(again.error?.data.code).toBe('BAD_REQUEST');
    await ws.close();
    await other.close();
  });

  test('a new link invalidates the older one; an expired link is refused; a weak password is a field error', async () => {
    await makeUser('alice', 'alice@example.com');
    const ws = await server.open();
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    const first = await nthResetToken(1);
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    const second = await nthResetToken(2);
    expect((await ws.ok('query', 'auth.checkPasswordResetToken', { token: first })).data.valid).toBe(false);
    const weak = await ws.call('mutation', 'auth.confirmPasswordReset', { token: second, newPassword: '1234', confirmPassword: '1234' });
    expect(weak.error?.data.statehouse.fieldErrors[0].field).toBe('newPassword');
    await server.db.db.update(authTokens).set({ expiresAt: Date.now() - 1 });
    const expired = await ws.call('mutation', 'auth.confirmPasswordReset', {
      token: second,
      newPassword: 'long enough secret',
      confirmPassword: 'long enough secret',
    });
    expect(expired.error?.data.code).toBe('BAD_REQUEST');
    await ws.close();
  });
});
