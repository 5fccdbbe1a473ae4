import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditEvents, users } from '../../../db/schema';
import { createAppRouter, guarded, router, verifiedEmailRequired } from '../../../server';
import { maskAddress } from '../../../server/auth/audit';
import { consumeEmailVerificationToken, issueEmailVerificationToken } from '../../../server/auth/email-verification';
import { findUserByUsername } from '../../../server/auth/users';
import type { MailMessage } from '../../../server/mail/mailer';
import { createTestUser } from '../../helpers/db';
import { captureMail } from '../../helpers/mail';
import { probeRouter, startTestServer, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';
import { eventually } from '../../helpers/wait-for';

const PASSWORD = 'a long enough passphrase';

const gateRouter = createAppRouter({
  probe: probeRouter,
  gate: router({ verified: guarded(verifiedEmailRequired()).query(({ ctx }) => `hello ${ctx.user.username}`) }),
});

let server: TestServer;
let mails: MailMessage[];
beforeEach(async () => {
  server = await startTestServer(
    {
      publicUrl: 'https://app.example',
      auth: { emailVerification: 'required', loginFields: ['username', 'email'] },
      rateLimit: { ipBurst: 100 },
    },
    { router: gateRouter },
  );
  mails = captureMail(server.statehouse.runtime.mailer);
});
afterEach(async () => {
  await server.stop();
});

async function signUp(username: string, email: string, headers?: Record<string, string>): Promise<TestSocket> {
  const ws = await server.open({ headers });
  await ws.ok('mutation', 'auth.register', { username, email, password: PASSWORD, confirmPassword: PASSWORD });
  await server.statehouse.runtime.background.drain();
  return ws;
}

/** The token of the last verification link mailed to `to`. */
function linkTokenTo(to: string): string {
  const mail = mails.findLast((m) => m.to === to && m.subject.startsWith('Verify your email address'));
  const match = mail?.text.match(/https:\/\/app\.example\/verify-email\/([a-z2-7]+\.[a-z2-7]+)/);
  if (!match) throw new Error(`no verification link mailed to ${to}`);
  return match[1]!;
}

describe('sign-up with email verification required', () => {
  test('mails a link; until it is opened the user is signed in but verifiedEmailRequired() refuses with EMAIL_UNVERIFIED', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    const snapshot = await ws.ok('query', 'probe.whoami');
    expect(snapshot.data.username).toBe('ada');
    const refused = await ws.call('query', 'gate.verified');
    expect(refused.error?.data.code).toBe('FORBIDDEN');
    expect(refused.error?.data.statehouse.reason).toBe('EMAIL_UNVERIFIED');
    expect(refused.error?.message).toBe('Please verify your email address first.');
    expect(mails.map((m) => m.to)).toEqual(['ada@example.com']);
    // The link carries the token; the database holds only its hash.
    const token = linkTokenTo('ada@example.com');
    const { rows } = await server.db.client.execute("SELECT * FROM auth_tokens WHERE purpose = 'email_verification'");
    expect(JSON.stringify(rows)).not.toContain(token.split('.')[1]!);

    const verified = await ws.ok('mutation', 'auth.verifyEmail', { token });
    expect(verified.data).toEqual({ verified: true });
    expect(verified.delta.auth.emailVerified).toBe(true);
    expect((await ws.ok('query', 'gate.verified')).data).toBe('hello ada');
    await ws.close();
  });

  test('a link works once; a forged or reused one is refused with the same message', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    const token = linkTokenTo('ada@example.com');
    await ws.ok('mutation', 'auth.verifyEmail', { token });
    for (const bad of [token, `${token.split('.')[0]}.${'a'.repeat(32)}`, 'not-a-token']) {
      const reply = await ws.call('mutation', 'auth.verifyEmail', { token: bad });
      expect(reply.error?.data.code).toBe('BAD_REQUEST');
      expect(reply.error?.message).toBe('This verification link is invalid or has expired. Please ask for a new one.');
    }
    await ws.close();
  });

  test('the link opens in any browser, signed in or not, and the signed-in tabs of the user get the new snapshot', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    await ws.subscribeState();
    const other = await server.open();
    await other.ok('mutation', 'auth.verifyEmail', { token: linkTokenTo('ada@example.com') });
    await ws.waitForPushes(2);
    expect(ws.pushes.at(-1).delta.auth.emailVerified).toBe(true);
    // Audited for the account, with no actor: the browser that opened the link was not signed in as ada.
    await eventually(async () => {
      const [event] = await server.db.db.select().from(auditEvents).where(eq(auditEvents.type, 'email.verified'));
      expect([event?.targetName, event?.actorId]).toEqual(['ada', null]);
    });
    for (const s of [ws, other]) await s.close();
  });

  test('a link expires (24 hours by default)', async () => {
    const row = await createTestUser(server.db.db, { username: 'ada', email: 'ada@example.com' });
    const now = Date.now();
    const token = await issueEmailVerificationToken(server.db.db, row.id, 'ada@example.com', 24 * 3_600_000, now);
    expect(await consumeEmailVerificationToken(server.db.db, token, now + 24 * 3_600_000)).toBeNull();
    expect(await consumeEmailVerificationToken(server.db.db, token, now + 24 * 3_600_000 - 1)).toEqual({
      userId: row.id,
      email: 'ada@example.com',
    });
  });
});

describe('an unverified address', () => {
  test('is no login id and no reset target until verified', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    const anon = await server.open();
    const byEmail = await anon.call('mutation', 'auth.login', { loginId: 'ada@example.com', password: PASSWORD });
    expect(byEmail.error?.data.code).toBe('UNAUTHORIZED');
    await anon.ok('mutation', 'auth.requestPasswordReset', { email: 'ada@example.com' });
    await server.statehouse.runtime.background.drain();
    expect(mails.filter((m) => m.subject.startsWith('Password reset'))).toEqual([]);

    await ws.ok('mutation', 'auth.verifyEmail', { token: linkTokenTo('ada@example.com') });
    const again = await server.open();
    expect((await again.ok('mutation', 'auth.login', { loginId: 'ada@example.com', password: PASSWORD })).data).toEqual({
      username: 'ada',
    });
    await again.ok('mutation', 'auth.requestPasswordReset', { email: 'ada@example.com' });
    await server.statehouse.runtime.background.drain();
    expect(mails.filter((m) => m.subject.startsWith('Password reset')).map((m) => m.to)).toEqual(['ada@example.com']);
    for (const s of [ws, anon, again]) await s.close();
  });

  test('held by a squatter goes to whoever proves it: a sign-up with it gets a link, and opening it moves the address', async () => {
    const squatter = await signUp('mallory', 'ada@example.com');
    const ada = await signUp('ada', 'ada@example.com');
    // The same answer as any sign-up; Ada's account keeps the address as pending.
    expect((await findUserByUsername(server.db.db, 'ada'))?.pendingEmail).toBe('ada@example.com');
    await ada.ok('mutation', 'auth.verifyEmail', { token: linkTokenTo('ada@example.com') });
    expect((await findUserByUsername(server.db.db, 'ada'))?.email).toBe('ada@example.com');
    expect((await findUserByUsername(server.db.db, 'mallory'))?.email).toBeNull();
    for (const s of [squatter, ada]) await s.close();
  });

  test('held verified by another account: the sign-up is answered alike and the owner is told, no link is mailed', async () => {
    const owner = await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com' });
    await server.db.db.update(users).set({ emailVerified: true }).where(eq(users.id, owner.id));
    const ws = await signUp('mallory', 'alice@example.com');
    expect(mails.map((m) => [m.to, m.subject])).toEqual([['alice@example.com', 'Sign-up attempt on Statehouse']]);
    await ws.close();
  });
});

describe('Resend verification email', () => {
  test('mails a new link for the unverified address; the older link dies; past the per-account budget it is refused', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    const first = linkTokenTo('ada@example.com');
    await ws.ok('mutation', 'auth.resendVerificationEmail');
    await server.statehouse.runtime.background.drain();
    const second = linkTokenTo('ada@example.com');
    expect(second).not.toBe(first);
    expect((await ws.call('mutation', 'auth.verifyEmail', { token: first })).error?.data.code).toBe('BAD_REQUEST');
    let refused = null;
    for (let i = 0; i < 120 && !refused; i++) {
      const reply = await ws.call('mutation', 'auth.resendVerificationEmail');
      if (reply.error) refused = reply.error;
    }
    expect(refused?.data.code).toBe('TOO_MANY_REQUESTS');
    // The recipient's own budget keeps the inbox from flooding meanwhile.
    await server.statehouse.runtime.background.drain();
    expect(mails.length).toBeLessThanOrEqual(server.statehouse.runtime.config.rateLimit.recipientMailBurst + 1);
    await ws.close();
  });
});

describe('Change email', () => {
  test('the new address is mailed a link and replaces the old one only once opened; the old address gets a notice', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    await ws.ok('mutation', 'auth.verifyEmail', { token: linkTokenTo('ada@example.com') });
    await ws.ok('mutation', 'auth.changeEmail', { email: 'ada@new.example' });
    await server.statehouse.runtime.background.drain();
    expect((await findUserByUsername(server.db.db, 'ada'))?.email).toBe('ada@example.com');
    const verified = await ws.ok('mutation', 'auth.verifyEmail', { token: linkTokenTo('ada@new.example') });
    expect(verified.delta.auth.email).toBe('ada@new.example');
    await server.statehouse.runtime.background.drain();
    const row = await findUserByUsername(server.db.db, 'ada');
    expect([row?.email, row?.emailVerified, row?.pendingEmail]).toEqual(['ada@new.example', true, null]);
    expect(mails.at(-1)?.to).toBe('ada@example.com');
    expect(mails.at(-1)?.subject).toBe('Your email address on Statehouse changed');
    await ws.close();
  });

  test('a bad address is a field error', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    const reply = await ws.call('mutation', 'auth.changeEmail', { email: 'not an address' });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    expect(reply.error?.data.statehouse.fieldErrors[0].field).toBe('email');
    await ws.close();
  });
});

describe('with emailVerification off', () => {
  test('sign-up mails nothing and verifiedEmailRequired() lets every signed-in user through', async () => {
    await server.stop();
    server = await startTestServer({ publicUrl: 'https://app.example' }, { router: gateRouter });
    mails = captureMail(server.statehouse.runtime.mailer);
    const ws = await signUp('ada', 'ada@example.com');
    expect(mails).toEqual([]);
    expect((await ws.ok('query', 'gate.verified')).data).toBe('hello ada');
    await ws.close();
  });
});

async function auditRows() {
  await server.statehouse.runtime.background.drain();
  return server.db.db.select().from(auditEvents).orderBy(auditEvents.id);
}

describe('confirming an address through the emailed link is audited', () => {
  test('a first verification of the address signed up with is email.verified only', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    await ws.ok('mutation', 'auth.verifyEmail', { token: linkTokenTo('ada@example.com') });
    const types = (await auditRows()).map((r) => r.type);
    expect(types).toContain('email.verified');
    expect(types).not.toContain('email.changed');
    await ws.close();
  });

  test('a new address is also email.changed, by the user, with both addresses masked and never the link', async () => {
    const ws = await signUp('ada', 'ada@example.com', { 'user-agent': 'AddressTest/1.0' });
    await ws.ok('mutation', 'auth.verifyEmail', { token: linkTokenTo('ada@example.com') });
    await ws.ok('mutation', 'auth.changeEmail', { email: 'lovelace@new.example' });
    await server.statehouse.runtime.background.drain();
    const token = linkTokenTo('lovelace@new.example');
    await ws.ok('mutation', 'auth.verifyEmail', { token });

    const rows = await auditRows();
    expect(rows.map((r) => r.type)).toEqual(['email.verified', 'email.verified', 'email.changed']);
    const changed = rows.at(-1)!;
    expect(changed).toMatchObject({ actorName: 'ada', targetName: 'ada', userAgent: 'AddressTest/1.0', via: 'socket' });
    expect(changed.actorId).toBe(changed.targetUserId);
    expect(JSON.parse(changed.detail)).toEqual({ from: 'a***@example.com', to: 'l***@new.example' });
    const text = JSON.stringify(rows);
    for (const secret of ['ada@example.com', 'lovelace@new.example', token, token.split('.')[1]!]) expect(text).not.toContain(secret);
    await ws.close();
  });

  test('a used link changes nothing and records nothing more', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    await ws.ok('mutation', 'auth.changeEmail', { email: 'ada@new.example' });
    await server.statehouse.runtime.background.drain();
    const token = linkTokenTo('ada@new.example');
    await ws.ok('mutation', 'auth.verifyEmail', { token });
    const before = (await auditRows()).length;
    expect((await ws.call('mutation', 'auth.verifyEmail', { token })).error).toBeDefined();
    expect(await auditRows()).toHaveLength(before);
    await ws.close();
  });
});

describe('maskAddress', () => {
  test('keeps the first character and the domain, hides the rest', () => {
    expect(maskAddress('ada@example.com')).toBe('a***@example.com');
    expect(maskAddress('x@y.example')).toBe('x***@y.example');
    expect(maskAddress('not-an-address')).toBe('***');
    expect(maskAddress('@example.com')).toBe('***');
  });
});
