import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { auditEvents } from '../../../db/schema';
import { maskAddress } from '../../../server/auth/audit';
import type { MailMessage } from '../../../server/mail/mailer';
import { captureMail } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'a long enough passphrase';

let server: TestServer;
let mails: MailMessage[];
beforeEach(async () => {
  server = await startTestServer({
    publicUrl: 'https://app.example',
    auth: { emailVerification: 'required' },
    rateLimit: { ipBurst: 100 },
  });
  mails = captureMail(server.statehouse.runtime.mailer);
});
afterEach(async () => {
  await server.stop();
});

async function signUp(username: string, email: string): Promise<TestSocket> {
  const ws = await server.open({ headers: { 'user-agent': 'AddressTest/1.0' } });
  await ws.ok('mutation', 'auth.register', { username, email, password: PASSWORD, confirmPassword: PASSWORD });
  await server.statehouse.runtime.background.drain();
  return ws;
}

/** The token of the last verification link mailed to `to`. */
function linkTokenTo(to: string): string {
  const mail = mails.findLast((m) => m.to === to && m.subject.startsWith('Verify your email address'));
  const match = mail?.text.match(/\/verify-email\/([a-z2-7]+\.[a-z2-7]+)/);
  if (!match) throw new Error(`no verification link mailed to ${to}`);
  return match[1]!;
}

async function auditRows() {
  await server.statehouse.runtime.background.drain();
  return server.db.db.select().from(auditEvents).orderBy(auditEvents.id);
}

describe('confirming an address through the emailed link', () => {
  test('a first verification of the address signed up with is email.verified only', async () => {
    const ws = await signUp('ada', 'ada@example.com');
    await ws.ok('mutation', 'auth.verifyEmail', { token: linkTokenTo('ada@example.com') });
    const types = (await auditRows()).map((r) => r.type);
    expect(types).toContain('email.verified');
    expect(types).not.toContain('email.changed');
    await ws.close();
  });

  test('a new address is also email.changed, by the user, with both addresses masked and never the link', async () => {
    const ws = await signUp('ada', 'ada@example.com');
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
