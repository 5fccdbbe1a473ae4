import { describe, expect, test } from 'bun:test';
import { sha256 } from '@oslojs/crypto/sha2';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateSecureRandomString, hashSecret, newToken, secretMatches, splitToken } from '../../../server/auth/secrets';

const SECRETS_SOURCE = resolve(import.meta.dir, '../../../server/auth/secrets.ts');

describe('secretMatches', () => {
  test('accepts the secret whose SHA-256 is stored', () => {
    const secret = generateSecureRandomString();
    expect(secretMatches(secret, hashSecret(secret))).toBe(true);
  });

  test('rejects a different secret of the same length', () => {
    const stored = hashSecret(generateSecureRandomString());
    expect(secretMatches(generateSecureRandomString(), stored)).toBe(false);
  });

  test('rejects a stored hash that differs only in its last byte', () => {
    const secret = generateSecureRandomString();
    const stored = hashSecret(secret);
    const last = stored.length - 1;
    stored[last] = stored[last]! ^ 1;
    expect(secretMatches(secret, stored)).toBe(false);
  });

  test('rejects a stored hash of a different length without throwing', () => {
    const secret = generateSecureRandomString();
    const full = hashSecret(secret);
    expect(secretMatches(secret, full.slice(0, 16))).toBe(false);
    expect(secretMatches(secret, new Uint8Array(0))).toBe(false);
    expect(secretMatches(secret, new Uint8Array([...full, 0]))).toBe(false);
  });

  test('compares with @oslojs constantTimeEqual, not === or a byte loop that exits early', () => {
    const source = readFileSync(SECRETS_SOURCE, 'utf8');
    expect(source).toMatch(/import\s*\{[^}]*\bconstantTimeEqual\b[^}]*\}\s*from\s*'@oslojs\/crypto\/subtle'/);
    const body = source.slice(source.indexOf('export function secretMatches'));
    const fn = body.slice(0, body.indexOf('\n}\n'));
    expect(fn).toContain('constantTimeEqual(');
  });
});

describe('hashSecret', () => {
  test('is the SHA-256 of the UTF-8 secret', () => {
    expect(hashSecret('abc')).toEqual(sha256(new TextEncoder().encode('abc')));
    expect(hashSecret('abc')).toHaveLength(32);
  });
});

describe('generateSecureRandomString', () => {
  test('gives 32 lower-case base32 characters: 160 bits, above the 128-bit floor', () => {
    const value = generateSecureRandomString();
    expect(value).toMatch(/^[a-z2-7]{32}$/);
    expect(value.length * 5).toBeGreaterThanOrEqual(128);
  });

  test('does not repeat over many draws and uses the whole alphabet', () => {
    const draws = Array.from({ length: 2_000 }, generateSecureRandomString);
    expect(new Set(draws).size).toBe(draws.length);
    const seen = new Set(draws.join(''));
    expect(seen.size).toBe(32);
  });
});

describe('splitToken', () => {
  test('splits a token made by newToken into its id and secret', () => {
    const { id, secret, token, secretHash } = newToken();
    expect(splitToken(token)).toEqual({ id, secret });
    expect(secretMatches(secret, secretHash)).toBe(true);
  });

  test.each([undefined, null, '', '.', 'abc', 'a.b', `${'a'.repeat(32)}.`, `${'a'.repeat(70)}.${'b'.repeat(70)}`])(
    'returns null for %p',
    (token) => {
      expect(splitToken(token)).toBeNull();
    },
  );
});
