import { describe, expect, test } from 'bun:test';
import { dummyVerify, hashPassword, hashingParams, UNUSABLE_PASSWORD, verifyPassword } from '../../../server/auth/password';
import { validatePassword } from '../../../server/auth/password-validation';
import { loadConfig } from '../../../server/config';
import { TEST_HASHING, TEST_RULES } from '../../helpers/db';

const codes = (password: string, context = {}): string[] => validatePassword(password, TEST_RULES, context).map((p) => p.code);

describe('hashing', () => {
  // One real hash for the whole block: argon2id at OWASP's minimum is deliberately slow.
  const password = 'correct horse battery staple';
  const hashed = hashPassword(password, TEST_HASHING);

  test('produces an argon2id PHC string with m=19456, t=2, p=1', async () => {
    expect(await hashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
  });

  test('the hash never contains the password', async () => {
    expect(await hashed).not.toContain(password);
  });

  test('verifies the right password and rejects a wrong one', async () => {
    expect(await verifyPassword(password, await hashed)).toBe(true);
    expect(await verifyPassword(`${password}!`, await hashed)).toBe(false);
    expect(await verifyPassword('', await hashed)).toBe(false);
  });

  test('an unusable or malformed hash verifies nothing, without throwing', async () => {
    expect(await verifyPassword('!', UNUSABLE_PASSWORD)).toBe(false);
    expect(await verifyPassword(password, '')).toBe(false);
    expect(await verifyPassword(password, '$argon2id$v=19$garbage')).toBe(false);
    expect(await verifyPassword(password, '$2b$10$notabcrypthashatall')).toBe(false);
  });

  test('dummyVerify returns false whatever it is given', async () => {
    expect(await dummyVerify(password, TEST_HASHING)).toBe(false);
    expect(await dummyVerify('', TEST_HASHING)).toBe(false);
  });

  test('the default config hashes at the OWASP minimum', () => {
    expect(hashingParams(loadConfig({}, {}))).toEqual({ memoryCost: 19_456, timeCost: 2, maxQueued: 32 });
  });
});

describe('validatePassword', () => {
  test('accepts a long, unusual password', () => {
    expect(validatePassword('violet tangerine orbit', TEST_RULES, { username: 'alice' })).toEqual([]);
  });

  test('rejects a short password, naming the minimum', () => {
    const [problem] = validatePassword('x7#q', TEST_RULES);
    expect(problem?.code).toBe('password_too_short');
    expect(problem?.message).toContain('at least 8 characters');
  });

  test('rejects an overlong password, naming the maximum', () => {
    expect(codes('a'.repeat(TEST_RULES.maxLength + 1))).toEqual(['password_too_long']);
  });

  test('rejects an entirely numeric password', () => {
    expect(codes('80417395261')).toEqual(['password_entirely_numeric']);
  });

  test('rejects a password similar to the username', () => {
    expect(codes('margaretha1', { username: 'margaretha' })).toEqual(['password_too_similar']);
  });

  test('rejects a password similar to the local part of the email', () => {
    const problems = validatePassword('quintessa!', TEST_RULES, { email: 'quintessa@example.com' });
    expect(problems.map((p) => p.code)).toEqual(['password_too_similar']);
    expect(problems[0]?.message).toContain('email address');
  });

  test('similarity is case-insensitive', () => {
    expect(codes('MARGARETHA1', { username: 'margaretha' })).toEqual(['password_too_similar']);
  });

  test('rejects a common password, whatever its case', () => {
    expect(codes('password')).toContain('password_too_common');
    expect(codes('PassWord1')).toContain('password_too_common');
    expect(codes('qwertyuiop')).toContain('password_too_common');
  });

  test('lists every problem at once', () => {
    expect(codes('1234567')).toEqual(['password_too_short', 'password_entirely_numeric', 'password_too_common']);
  });

  test('the minimum length comes from the rules', () => {
    expect(codes('violet tangerine')).toEqual([]);
    expect(validatePassword('violet tangerine', { minLength: 20, maxLength: 256 }).map((p) => p.code)).toEqual(['password_too_short']);
  });
});
