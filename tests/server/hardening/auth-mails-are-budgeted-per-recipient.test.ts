import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { createUser } from '../../../server/auth/users';
import type { MailMessage } from '../../../server/mail/mailer';
import { TEST_HASHING, TEST_RULES, createTestUser } from '../../helpers/db';
import { captureMail } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';

/**
 * The reset and sign-up forms take any address, and each may mail it: a
 * per-recipient budget keeps them from flooding one inbox. Skipped mails
 * are skipped after the reply, so the answers stay the same.
 */
const PASSWORD = 'a long enough passphrase';

let server: TestServer;
let mails: MailMessage[];
beforeEach(async () => {
  server = await startTestServer({
    publicUrl: 'https://app.example',
    rateLimit: { ipBurst: 100, recipientMailBurst: 3, recipientMailsPerHour: 1 },
  });
  mails = captureMail(server.statehouse.runtime.mailer);
  await createTestUser(server.db.db, { username: 'alice', email: 'alice@example.com', password: PASSWORD });
});
afterEach(async () => {
  await server.stop();
});

describe('auth mails to one address', () => {
  test('reset requests past the recipient budget are answered the same and mail nothing more', async () => {
    const ws = await server.open();
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push((await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'ALICE@example.com' })).data);
    await server.statehouse.runtime.background.drain();
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(mails.map((m) => m.to)).toEqual(['alice@example.com', 'alice@example.com', 'alice@example.com']);
    // Another address has a budget of its own.
    const bob = await createUser(
      server.db.db,
      { username: 'bob', email: 'bob@example.com', password: PASSWORD },
      { hashing: TEST_HASHING, rules: TEST_RULES },
    );
    expect(bob.ok).toBe(true);
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'bob@example.com' });
    await server.statehouse.runtime.background.drain();
    expect(mails.at(-1)?.to).toBe('bob@example.com');
    await ws.close();
  });

  test("sign-up notices to an address's owner share that budget", async () => {
    for (let i = 0; i < 5; i++) {
      const ws = await server.open();
      await ws.ok('mutation', 'auth.register', {
        username: `mallory${i}`,
        email: 'alice@example.com',
        password: PASSWORD,
        confirmPassword: PASSWORD,
      });
      await ws.close();
    }
    await server.statehouse.runtime.background.drain();
    expect(mails).toHaveLength(3);
    expect(mails.every((m) => m.to === 'alice@example.com' && m.subject.startsWith('Sign-up attempt'))).toBe(true);
  });
});
