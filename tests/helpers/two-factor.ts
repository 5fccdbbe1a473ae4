import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';

/**
 * An authenticator app for tests: reads the **Setup key** as a person would
 * type it and computes codes with `@oslojs/otp` itself (not Statehouse's
 * TOTP code), for any instant.
 */
export class TestAuthenticator {
  readonly key: Uint8Array;

  constructor(setupKey: string) {
    this.key = decodeBase32IgnorePadding(setupKey.replace(/\s/g, '').toUpperCase());
  }

  /** The code the app shows at `now` (30-second steps, 6 digits). */
  codeAt(now: number = Date.now()): string {
    return generateHOTP(this.key, BigInt(Math.floor(now / 30_000)), 6);
  }
}
