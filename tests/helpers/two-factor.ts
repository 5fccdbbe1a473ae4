import { decodeBase32IgnorePadding, encodeBase32NoPadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import type { Database } from '../../db/client';
import type { StatehouseConfig } from '../../server';
import { beginTotpSetup, confirmTotpSetup } from '../../server/auth/two-factor';
import { twoFactorKeyOf } from '../../server/auth/two-factor-key';

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

/**
 * Turns two-factor on for a user straight through the data layer (the
 * canned procedures are tested on their own): answers the app, with the
 * setup code's step spent, and the recovery codes.
 */
export async function turnOnTwoFactorFor(
  db: Database,
  config: StatehouseConfig,
  userId: number,
  now: number = Date.now(),
): Promise<{ app: TestAuthenticator; codes: string[] }> {
  const sealingKey = twoFactorKeyOf(config);
  const key = await beginTotpSetup(db, sealingKey, userId, now - 30_000);
  if (!key) throw new Error('two-factor is on already');
  const app = new TestAuthenticator(encodeBase32NoPadding(key));
  const codes = await confirmTotpSetup(db, sealingKey, userId, app.codeAt(now - 30_000), now - 30_000);
  if (!codes) throw new Error('the setup code was refused');
  return { app, codes };
}
