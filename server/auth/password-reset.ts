import type { Database } from '../../db/client';
import { checkUserToken, consumeUserToken, deleteUserTokens, issueUserToken } from './user-tokens';

/**
 * Password-reset tokens: single use, hashed at rest, short-lived; issuing a
 * new one deletes the user's older ones (`user-tokens.ts`).
 */

/**
 * Issues a reset token for a user and returns it (to be emailed as a link).
 *
 * @example
 * const token = await issuePasswordResetToken(db, user.id, 60 * 60 * 1000);
 */
export function issuePasswordResetToken(db: Database, userId: number, ttlMs: number, now: number = Date.now()): Promise<string> {
  return issueUserToken(db, 'password_reset', userId, ttlMs, now);
}

/**
 * The statement that ends every pending reset link of a user: run with each
 * password change (Django folds the hash into its tokens for the same end),
 * so a link mailed before the change cannot set the password again.
 */
export function deletePasswordResetTokens(db: Database, userId: number) {
  return deleteUserTokens(db, userId, 'password_reset');
}

/** The user a live reset token belongs to, or `null` (without using it up). */
export function checkPasswordResetToken(db: Database, token: string | null | undefined, now: number = Date.now()): Promise<number | null> {
  return checkUserToken(db, 'password_reset', token, now);
}

/** Uses a reset token up, atomically: of two concurrent uses only one gets the user id. */
export function consumePasswordResetToken(db: Database, token: string, now: number = Date.now()): Promise<number | null> {
  return consumeUserToken(db, 'password_reset', token, now);
}
