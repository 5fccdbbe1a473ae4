import type { Database } from '../../db/client';
import type { StatehouseConfig } from '../config';
import { countIdentities } from './identities';
import { isUsablePasswordHash } from './password';
import { countPasskeys } from './passkeys';
import { findUserById } from './users';

/** The ways a user can sign in, as the "never the last way in" rule counts them. */
export interface SignInWays {
  password: boolean;
  passkeys: number;
  identities: number;
  /** An emailed link: `auth.magicLink` on and an address on the account. */
  emailLink: boolean;
}

/** What a user may take away from their ways to sign in. */
export type RemovableWay = 'password' | 'passkey' | 'identity';

/** The user's ways to sign in, or `null` for no such user. */
export async function signInWaysOf(db: Database, config: StatehouseConfig, userId: number): Promise<SignInWays | null> {
  const user = await findUserById(db, userId);
  if (!user) return null;
  const [passkeys, identities] = await Promise.all([countPasskeys(db, userId), countIdentities(db, userId)]);
  return {
    password: isUsablePasswordHash(user.passwordHash),
    passkeys,
    identities,
    emailLink: config.auth.magicLink && user.email !== null,
  };
}

/**
 * The one rule for taking a way to sign in away: never the last one; and the
 * password only while a passkey remains (a passkey is the stronger way in,
 * and the one that needs no mailbox or provider to keep working).
 *
 * @example
 * mayRemoveSignInWay({ password: true, passkeys: 1, identities: 0, emailLink: false }, 'password'); // true
 * mayRemoveSignInWay({ password: true, passkeys: 1, identities: 0, emailLink: false }, 'passkey');  // true
 * mayRemoveSignInWay({ password: false, passkeys: 1, identities: 0, emailLink: false }, 'passkey'); // false
 */
export function mayRemoveSignInWay(ways: SignInWays, way: RemovableWay): boolean {
  const total = (ways.password ? 1 : 0) + ways.passkeys + ways.identities + (ways.emailLink ? 1 : 0);
  const held = way === 'password' ? (ways.password ? 1 : 0) : way === 'passkey' ? ways.passkeys : ways.identities;
  if (held < 1 || total - 1 < 1) return false;
  return way !== 'password' || ways.passkeys >= 1;
}
