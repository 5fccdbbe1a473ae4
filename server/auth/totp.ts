import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';

/**
 * TOTP (RFC 6238) on `@oslojs/otp`'s HOTP: 30-second steps, 6 digits,
 * HMAC-SHA-1 (what every authenticator app reads from an `otpauth://` URI).
 * The clock is a parameter, so tests step through time without waiting.
 */

/** Seconds per step. */
export const TOTP_PERIOD_SECONDS = 30;
/** Digits per code. */
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (clock drift, a code typed as it turned). */
export const TOTP_WINDOW = 1;
/** Bytes of a new key: 160 bits, RFC 4226's recommendation. */
const KEY_BYTES = 20;

/** A new random TOTP key. */
export function newTotpKey(): Uint8Array {
  const key = new Uint8Array(KEY_BYTES);
  crypto.getRandomValues(key);
  return key;
}

/** The key as authenticator apps take it typed in (the **Setup key**): base32, in groups of four. */
export function setupKeyOf(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key).replace(/(.{4})(?=.)/g, '$1 ');
}

/** The `otpauth://totp/…` URI the QR code carries. */
export function totpUri(issuer: string, accountName: string, key: Uint8Array): string {
  return createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The step `now` falls in. */
export function totpStepAt(now: number): number {
  return Math.floor(now / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of one step (tests compute codes with it, as an app would). */
export function totpCodeAt(key: Uint8Array, step: number): string {
  return generateHOTP(key, BigInt(step), TOTP_DIGITS);
}

const CODE = /^\d{6}$/;

/**
 * The step whose code `code` is, within ±{@link TOTP_WINDOW} of `now` and
 * after `lastUsedStep` (a code is accepted once: replay refused), or `null`.
 * Every candidate is computed and compared in constant time, whichever matches.
 */
export function matchTotp(key: Uint8Array, code: string, now: number, lastUsedStep: number): number | null {
  const typed = code.replace(/\s/g, '');
  if (!CODE.test(typed)) return null;
  const presented = new TextEncoder().encode(typed);
  const current = totpStepAt(now);
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step++) {
    const expected = new TextEncoder().encode(totpCodeAt(key, step));
    if (constantTimeEqual(presented, expected) && step > lastUsedStep && matched === null) matched = step;
  }
  return matched;
}
