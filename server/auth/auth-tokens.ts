import { and, eq, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { authTokens, type AuthTokenRow } from '../../db/schema';
import { secretMatches, splitToken } from './secrets';

/**
 * The unused, unexpired row of a single-use token of `purpose` (reset and
 * verification links), or `null`. An unknown id costs the compare a wrong
 * secret costs.
 */
export async function liveTokenRow(
  db: Database,
  token: string | null | undefined,
  purpose: AuthTokenRow['purpose'],
  now: number,
): Promise<AuthTokenRow | null> {
  const parts = splitToken(token);
  if (!parts) return null;
  const [row] = await db.select().from(authTokens).where(eq(authTokens.id, parts.id)).limit(1);
  const matches = secretMatches(parts.secret, row ? new Uint8Array(row.secretHash) : new Uint8Array(32));
  if (!row || !matches || row.purpose !== purpose || row.userId === null) return null;
  if (row.usedAt !== null || now >= row.expiresAt) return null;
  return row;
}

/** Marks a token row used, atomically: of two concurrent claims only one gets `true`. */
export async function claimToken(db: Database, id: string, now: number): Promise<boolean> {
  const claimed = await db
    .update(authTokens)
    .set({ usedAt: now })
    .where(and(eq(authTokens.id, id), isNull(authTokens.usedAt)))
    .returning({ id: authTokens.id });
  return claimed.length === 1;
}
