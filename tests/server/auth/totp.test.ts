import { describe, expect, test } from 'bun:test';
import { matchTotp, newTotpKey, setupKeyOf, totpCodeAt, totpStepAt, totpUri } from '../../../server/auth/totp';
import { TestAuthenticator } from '../../helpers/two-factor';

/** The TOTP rules, with the clock as a parameter: the test app (`@oslojs/otp`'s HOTP of the Setup key) is the oracle. */
describe('TOTP', () => {
  const key = newTotpKey();
  const now = Date.UTC(2026, 0, 15, 9, 0, 10);
  const step = totpStepAt(now);

  test('a code is the one an authenticator app computes from the Setup key', () => {
    const app = new TestAuthenticator(setupKeyOf(key));
    expect(totpCodeAt(key, step)).toBe(app.codeAt(now));
  });

  test('±1 step passes, two steps away does not', () => {
    expect(matchTotp(key, totpCodeAt(key, step - 1), now, 0)).toBe(step - 1);
    expect(matchTotp(key, totpCodeAt(key, step), now, 0)).toBe(step);
    expect(matchTotp(key, totpCodeAt(key, step + 1), now, 0)).toBe(step + 1);
    expect(matchTotp(key, totpCodeAt(key, step - 2), now, 0)).toBeNull();
    expect(matchTotp(key, totpCodeAt(key, step + 2), now, 0)).toBeNull();
  });

  test('a step at or before the last accepted one is refused (replay)', () => {
    expect(matchTotp(key, totpCodeAt(key, step), now, step)).toBeNull();
    expect(matchTotp(key, totpCodeAt(key, step - 1), now, step - 1)).toBeNull();
    expect(matchTotp(key, totpCodeAt(key, step + 1), now, step)).toBe(step + 1);
  });

  test('anything but six digits is refused; spaces are ignored', () => {
    const code = totpCodeAt(key, step);
    expect(matchTotp(key, `${code.slice(0, 3)} ${code.slice(3)}`, now, 0)).toBe(step);
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}0`]) expect(matchTotp(key, bad, now, 0)).toBeNull();
  });

  test('the URI names the site and the account, and carries the key for the QR code', () => {
    const uri = new URL(totpUri('Statehouse', 'ada', key));
    expect(uri.protocol).toBe('otpauth:');
    expect(decodeURIComponent(uri.pathname)).toContain('ada');
    expect(uri.searchParams.get('issuer')).toBe('Statehouse');
    expect(uri.searchParams.get('secret')).toBe(setupKeyOf(key).replace(/ /g, ''));
  });
});
