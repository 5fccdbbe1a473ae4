import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { users } from '../../db/schema/auth';
import type { StatehouseConfig } from '../config';
import { UNUSABLE_PASSWORD } from './password';
import { deletePasswordResetTokens } from './password-reset';
import { mayRemoveSignInWay, signInWaysOf } from './sign-in-ways';

export type RemovePasswordOutcome = 'removed' | 'no_password' | 'needs_passkey';

/**
 * **Remove password**: makes the user's password unusable (and ends their
 * pending reset links), only while a passkey remains and never as the last
 * way to sign in (`mayRemoveSignInWay`). A password can be set again through
 * **Forgot your password?** when the account has an address.
 */
export async function removePassword(db: Database, config: StatehouseConfig, userId: number): Promise<RemovePasswordOutcome> {
  const ways = await signInWaysOf(db, config, userId);
  if (!ways?.password) return 'no_password';
  if (!mayRemoveSignInWay(ways, 'password')) return 'needs_passkey';
  await db.batch([
    db.update(users).set({ passwordHash: UNUSABLE_PASSWORD }).where(eq(users.id, userId)),
    deletePasswordResetTokens(db, userId),
  ]);
  return 'removed';
}
