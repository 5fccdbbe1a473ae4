import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { authTokens } from '../../db/schema';
import { claimToken, liveTokenRow } from './auth-tokens';
import { newToken } from './secrets';

/**
 * Password-reset tokens: single use, hashed at rest, short-lived; issuing a
 * new one deletes the user's older ones.
 */

/**
 * Issues a reset token for a user and returns it (to be emailed as a link).
 *
 * @example
 * const token = await issuePasswordResetToken(db, user.id, 60 * 60 * 1000);
 */
export async function issuePasswordResetToken(db: Database, userId: number, ttlMs: number, now: number = Date.now()): Promise<string> {
  const { id, token, secretHash } = newToken();
  await db.batch([
    deletePasswordResetTokens(db, userId),
    db.insert(authTokens).values({
      id,
      secretHash: Buffer.from(secretHash),
      purpose: 'password_reset',
      userId,
      createdAt: now,
      expiresAt: now + ttlMs,
    }),
  ]);
  return token;
}

/**
 * The statement that ends every pending reset link of a user: run with each
 * password change (Django folds the hash into its tokens for the same end),
 * so a link mailed before the change cannot set the password again.
 */
export function deletePasswordResetTokens(db: Database, userId: number) {
  return db.delete(authTokens).where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, 'password_reset')));
}

/** The user a live reset token belongs to, or `null` (without using it up). */
export async function checkPasswordResetToken(
  db: Database,
  token: string | null | undefined,
  now: number = Date.now(),
): Promise<number | null> {
  return (await liveTokenRow(db, token, 'password_reset', now))?.userId ?? null;
}

/** Uses a reset token up, atomically: of two concurrent uses only one gets the user id. */
export async function consumePasswordResetToken(db: Database, token: string, now: number = Date.now()): Promise<number | null> {
  const row = await liveTokenRow(db, token, 'password_reset', now);
  if (!row?.userId) return null;
  return (await claimToken(db, row.id, now)) ? row.userId : null;
}
