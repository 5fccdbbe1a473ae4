import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { INVALID_LOGIN_MESSAGE } from '../../../server/routers/auth-router';
import { createMemoryRateLimiter } from '../../../server/auth/rate-limit';
import { createUser, USERNAME_PATTERN } from '../../../server/auth/users';
import { createTempDir, TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { RpcReply, TestSocket } from '../../helpers/socket-client';

const PASSWORD = 'correct horse battery';

/** Strings shaped to break a query, a parser or a comparison. */
const HOSTILE = [
  "' OR '1'='1",
  "alice' --",
  "alice'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT * FROM sessions',
  '%',
  '_',
  'alic_',
  'ali%',
  '*',
  '\\',
  "alice\\' OR 1=1 --",
  '$where: 1',
  '{"$gt": ""}',
  '\u0000',
  'alice\u0000',
  '\u0000alice',
  '\ud800',
  'alice\udfff',
  '\u202eecila',
  'al\u200bice',
  'a\u0301lice',
  '\u0430lice', // Cyrillic а
  'ａｌｉｃｅ', // full width
  'ALİCE',
  '👩‍💻',
  '\t\n\r',
  ' '.repeat(200),
  '\u2028\u2029',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection attempt, as typed
  '${process.exit(1)}',
  '__proto__',
  'constructor',
];

/** Over every field's limit, yet two of them fit one frame (64 KiB; larger frames close the socket, see malformed-frames). */
const OVERSIZED = ['a'.repeat(257), 'é'.repeat(300), '👩‍💻'.repeat(100), 'x'.repeat(30_000)];

/** Values of the wrong type where a string is expected. */
const WRONG_TYPES: unknown[] = [null, 42, true, [], ['alice'], {}, { toString: 'alice' }, { __proto__: { admin: true } }];

let server: TestServer;
let ws: TestSocket;
let signedIn: TestSocket;
let mailDir: string;

beforeAll(async () => {
  mailDir = createTempDir('statehouse-mail-');
  server = await startTestServer(
    {
      mail: { backend: 'file', fileDir: mailDir },
      auth: { loginFields: ['username', 'email'] },
      rateLimit: { messageBurst: 100_000, messagesPerSecond: 100_000 },
    },
    { limiter: createMemoryRateLimiter({ ipBurst: 100_000, ipPerMinute: 100_000, accountFreeFailures: 100_000 }) },
  );
  const created = await createUser(
    server.db.db,
    { username: 'alice', email: 'alice@example.com', password: PASSWORD },
    { hashing: TEST_HASHING, rules: TEST_RULES },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  const bob = await server.userWithSession('bob');
  ws = await server.open();
  signedIn = await server.open({ cookie: bob.cookie });
});
afterAll(async () => {
  await ws.close();
  await signedIn.close();
  await server.stop();
});

async function counts() {
  const one = async (table: string) => (await server.db.client.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;
  const hashes = await server.db.db.all<{ h: string }>(sql`SELECT group_concat(password_hash) AS h FROM users`);
  return {
    users: await one('users'),
    sessions: await one('sessions'),
    sessionData: await one('session_data'),
    tokens: await one('auth_tokens'),
    hashes: hashes[0]!.h,
    mails: readdirSync(mailDir).length,
  };
}

/** A typed refusal: BAD_REQUEST (with field errors) or, where allowed, the uniform login failure. */
function expectRefused(reply: RpcReply, allowed: readonly string[] = ['BAD_REQUEST']) {
  const label = JSON.stringify(reply.error ?? reply.result).slice(0, 300);
  expect(reply.error, label).toBeDefined();
  expect(allowed, label).toContain(reply.error!.data.code);
  if (reply.error!.data.code === 'BAD_REQUEST') expect(reply.error!.data.statehouse?.fieldErrors?.length ?? 1, label).toBeGreaterThan(0);
  if (reply.error!.data.code === 'UNAUTHORIZED') expect(reply.error!.message).toBe(INVALID_LOGIN_MESSAGE);
}

/** Random strings: any code point (lone surrogates included), some long. */
const randomText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom("'", '"', ';', '-', '%', '_', '\\', '\u0000', '/', '*', 'a', ' '), maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', minLength: 257, maxLength: 2000 }),
);

describe('login', () => {
  test('SQL-ish, unicode, oversized and wrongly typed credentials are typed refusals and write nothing', async () => {
    const before = await counts();
    const loginIds = [...HOSTILE, ...OVERSIZED, ...fc.sample(randomText, { numRuns: 20, seed: 7 })];
    for (const loginId of loginIds) {
      expectRefused(await ws.call('mutation', 'auth.login', { loginId, password: PASSWORD }), ['BAD_REQUEST', 'UNAUTHORIZED']);
    }
    for (const pw of [...HOSTILE.slice(0, 12), ...OVERSIZED]) {
      expectRefused(await ws.call('mutation', 'auth.login', { loginId: 'alice', password: pw }), ['BAD_REQUEST', 'UNAUTHORIZED']);
    }
    for (const bad of WRONG_TYPES) {
      expectRefused(await ws.call('mutation', 'auth.login', { loginId: bad, password: PASSWORD }));
      expectRefused(await ws.call('mutation', 'auth.login', { loginId: 'alice', password: bad }));
    }
    for (const input of [undefined, null, 'alice', [], { loginId: 'alice' }, { password: PASSWORD }]) {
      expectRefused(await ws.call('mutation', 'auth.login', input));
    }
    expect(await counts()).toEqual(before);
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
  }, 60_000);

  test('a lookalike of a username never signs in as that user', async () => {
    for (const loginId of ['\u0430lice', 'ａｌｉｃｅ', 'al\u200bice', 'alice\u0000', '\u202eecila', 'ali%', 'alic_', "alice' --"]) {
      const reply = await ws.call('mutation', 'auth.login', { loginId, password: PASSWORD });
      expectRefused(reply, ['BAD_REQUEST', 'UNAUTHORIZED']);
    }
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
  });
});

describe('registration', () => {
  test('hostile usernames and emails are field errors, nothing is written', async () => {
    const before = await counts();
    const valid = {
      username: 'carol',
      email: 'carol@example.com',
      password: 'carol likes long walks',
      confirmPassword: 'carol likes long walks',
    };
    const badUsernames = [...HOSTILE, ...OVERSIZED, ...fc.sample(randomText, { numRuns: 60, seed: 11 })].filter(
      (u) => !USERNAME_PATTERN.test(u.trim()) || u.trim().length > 150,
    );
    for (const username of badUsernames) expectRefused(await ws.call('mutation', 'auth.register', { ...valid, username }));
    for (const email of [
      ...HOSTILE,
      ...OVERSIZED,
      "x@example.com' --",
      'a@b',
      'alice@example.com\u0000',
      `${'a'.repeat(250)}@example.com`,
    ]) {
      expectRefused(await ws.call('mutation', 'auth.register', { ...valid, email }));
    }
    for (const bad of WRONG_TYPES) {
      for (const field of ['username', 'email', 'password', 'confirmPassword']) {
        expectRefused(await ws.call('mutation', 'auth.register', { ...valid, [field]: bad }));
      }
    }
    // A lookalike of an existing name, and the same name in other case, are refused.
    for (const username of ['ALICE', ' alice ', '\u0430lice'])
      expectRefused(await ws.call('mutation', 'auth.register', { ...valid, username }));
    for (const password of OVERSIZED)
      expectRefused(await ws.call('mutation', 'auth.register', { ...valid, password, confirmPassword: password }));
    expect(await counts()).toEqual(before);
  }, 60_000);

  test('a password full of SQL and unicode is stored as a hash and works as typed', async () => {
    const pw = "'; DROP TABLE users; -- é👩‍💻\u202e";
    const other = await server.open();
    const reply = await other.call('mutation', 'auth.register', { username: 'dave', email: '', password: pw, confirmPassword: pw });
    expect(reply.result).toBeDefined();
    const [row] = await server.db.db.all<{ password_hash: string }>(sql`SELECT password_hash FROM users WHERE username = 'dave'`);
    expect(row!.password_hash.startsWith('$argon2id$')).toBe(true);
    expect(row!.password_hash).not.toContain('DROP');
    const again = await server.open();
    expect((await again.call('mutation', 'auth.login', { loginId: 'dave', password: pw })).result).toBeDefined();
    expectRefused(await again.call('mutation', 'auth.login', { loginId: 'dave', password: pw.slice(0, -1) }), ['UNAUTHORIZED']);
    await other.close();
    await again.close();
  });
});

describe('password reset and change', () => {
  test('hostile addresses, tokens and passwords are typed refusals and write nothing', async () => {
    const before = await counts();
    for (const email of [...HOSTILE, ...OVERSIZED, ...WRONG_TYPES]) {
      const reply = await ws.call('mutation', 'auth.requestPasswordReset', { email });
      // Either refused as malformed, or the uniform "sent" answer for an unknown address.
      if (reply.result) expect((reply.result.data as { data: unknown }).data).toEqual({ sent: true });
      else expectRefused(reply);
    }
    for (const token of [...HOSTILE, ...OVERSIZED, ...WRONG_TYPES, `${'a'.repeat(32)}.${"'".repeat(32)}`]) {
      const check = await ws.call('query', 'auth.checkPasswordResetToken', { token });
      if (check.result) expect((check.result.data as { data: unknown }).data).toEqual({ valid: false });
      else expectRefused(check);
      expectRefused(
        await ws.call('mutation', 'auth.confirmPasswordReset', {
          token,
          newPassword: 'a fresh new secret',
          confirmPassword: 'a fresh new secret',
        }),
      );
    }
    for (const pw of [...OVERSIZED, ...WRONG_TYPES]) {
      expectRefused(
        await signedIn.call('mutation', 'auth.changePassword', {
          currentPassword: pw,
          newPassword: 'a fresh new secret',
          confirmPassword: 'a fresh new secret',
        }),
      );
      expectRefused(
        await signedIn.call('mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: pw, confirmPassword: pw }),
      );
    }
    for (const pw of HOSTILE.slice(0, 6)) {
      expectRefused(
        await signedIn.call('mutation', 'auth.changePassword', {
          currentPassword: pw,
          newPassword: 'a fresh new secret',
          confirmPassword: 'a fresh new secret',
        }),
      );
    }
    // The reset lookup runs after the reply: wait for it to (not) write.
    await server.statehouse.runtime.background.drain();
    expect(await counts()).toEqual(before);
    expect((await signedIn.ok('query', 'probe.whoami')).data.username).toBe('bob');
  }, 60_000);
});
