import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { authTokens, type AuthTokenRow } from '../../db/schema';
import { newToken, secretMatches, splitToken } from './secrets';

/**
 * Emailed single-use tokens of one user (password-reset links, sign-in
 * links): hashed at rest, short-lived, used up atomically; issuing one
 * deletes the user's older ones of the same purpose.
 */
export type UserTokenPurpose = 'password_reset' | 'sign_in_link';

/** Issues a token for a user and returns it (to be emailed as a link). */
export async function issueUserToken(
  db: Database,
  purpose: UserTokenPurpose,
  userId: number,
  ttlMs: number,
  now: number = Date.now(),
): Promise<string> {
  const { id, token, secretHash } = newToken();
  await db.batch([
    deleteUserTokens(db, userId, purpose),
    db.insert(authTokens).values({ id, secretHash: Buffer.from(secretHash), purpose, userId, createdAt: now, expiresAt: now + ttlMs }),
  ]);
  return token;
}

/** The statement that ends every pending token of a user for one purpose. */
export function deleteUserTokens(db: Database, userId: number, purpose: UserTokenPurpose) {
  return db.delete(authTokens).where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, purpose)));
}

/** The user a live token belongs to, or `null` (without using it up). */
export async function checkUserToken(
  db: Database,
  purpose: UserTokenPurpose,
  token: string | null | undefined,
  now: number = Date.now(),
): Promise<number | null> {
  const found = await liveToken(db, token, purpose, now);
  return found?.row.userId ?? null;
}

/** Uses a token up, atomically: of two concurrent uses only one gets the user id. */
export async function consumeUserToken(
  db: Database,
  purpose: UserTokenPurpose,
  token: string,
  now: number = Date.now(),
): Promise<number | null> {
  const claimed = await claimToken(db, token, purpose, now);
  return claimed?.row.userId ?? null;
}

/**
 * Uses any single-use token up, atomically: its row and secret when the
 * token is well formed, known, of `purpose`, unused and unexpired, and this
 * call is the one that claimed it (of two concurrent claims only one
 * updates the row); otherwise `null`. An unknown id costs the same hash and
 * compare as a wrong secret.
 */
export async function claimToken(
  db: Database,
  token: string | null | undefined,
  purpose: AuthTokenRow['purpose'],
  now: number = Date.now(),
): Promise<{ row: AuthTokenRow; secret: string } | null> {
  const found = await liveToken(db, token, purpose, now);
  if (!found) return null;
  const { row } = found;
  const claimed = await db
    .update(authTokens)
    .set({ usedAt: now })
    .where(and(eq(authTokens.id, row.id), isNull(authTokens.usedAt)))
    .returning({ id: authTokens.id });
  return claimed.length === 1 ? found : null;
}

/**
 * The row and secret of a well-formed, known, unused and unexpired token of
 * `purpose`, or `null`. An unknown id costs the same hash and compare as a
 * wrong secret.
 */
async function liveToken(
  db: Database,
  token: string | null | undefined,
  purpose: AuthTokenRow['purpose'],
  now: number,
): Promise<{ row: AuthTokenRow; secret: string } | null> {
  const parts = splitToken(token);
  if (!parts) return null;
  const [row] = await db.select().from(authTokens).where(eq(authTokens.id, parts.id)).limit(1);
  const matches = secretMatches(parts.secret, row ? new Uint8Array(row.secretHash) : new Uint8Array(32));
  if (!row || !matches || row.purpose !== purpose) return null;
  if (row.usedAt !== null || now >= row.expiresAt) return null;
  return { row, secret: parts.secret };
}
