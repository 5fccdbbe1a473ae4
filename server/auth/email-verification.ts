import { and, eq, ne, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { authTokens, users } from '../../db/schema';
import { claimToken } from './user-tokens';
import { newToken } from './secrets';

/**
 * Email-verification links: single use, hashed at rest, each naming the
 * address it proves (a link mailed before a change of address proves only
 * that one). Issuing a new link for a user deletes their older ones.
 */

/** The email verification setting (`auth.emailVerification`). */
export type EmailVerificationMode = 'off' | 'optional' | 'required';

/**
 * Issues a link token proving `email` for `userId`; the token is mailed, never stored.
 *
 * @example
 * const token = await issueEmailVerificationToken(db, user.id, 'ada@example.com', 24 * 60 * 60 * 1000);
 */
export async function issueEmailVerificationToken(
  db: Database,
  userId: number,
  email: string,
  ttlMs: number,
  now: number = Date.now(),
): Promise<string> {
  const { id, token, secretHash } = newToken();
  await db.batch([
    db.delete(authTokens).where(and(eq(authTokens.userId, userId), eq(authTokens.purpose, 'email_verification'))),
    db.insert(authTokens).values({
      id,
      secretHash: Buffer.from(secretHash),
      purpose: 'email_verification',
      userId,
      email,
      createdAt: now,
      expiresAt: now + ttlMs,
    }),
  ]);
  return token;
}

/** What a used verification link proves. */
export interface VerifiedAddress {
  userId: number;
  email: string;
}

/**
 * Uses a verification token up, atomically (of two concurrent uses one wins).
 * `null` for anything else: malformed, unknown, wrong secret, used, expired.
 * An unknown id costs the compare a wrong secret costs.
 */
export async function consumeEmailVerificationToken(
  db: Database,
  token: string | null | undefined,
  now: number = Date.now(),
): Promise<VerifiedAddress | null> {
  const row = (await claimToken(db, token, 'email_verification', now))?.row;
  return row?.userId && row.email !== null ? { userId: row.userId, email: row.email } : null;
}

/** The outcome of {@link applyVerifiedAddress}. */
export type AppliedAddress =
  | { ok: true; previous: string | null; changed: boolean }
  /** Another account verified the address first. */
  | { ok: false };

/**
 * Makes `address` the user's verified email. An account holding it
 * unverified loses it (whoever proves an address owns it: a sign-up
 * cannot squat someone's address); an account holding it verified keeps
 * it and the link fails. A pending address equal to it is cleared.
 */
export async function applyVerifiedAddress(db: Database, { userId, email }: VerifiedAddress): Promise<AppliedAddress> {
  const lower = email.toLowerCase();
  const [holder] = await db
    .select({ id: users.id, emailVerified: users.emailVerified })
    .from(users)
    .where(and(sql`lower(${users.email}) = ${lower}`, ne(users.id, userId)))
    .limit(1);
  if (holder?.emailVerified) return { ok: false };
  const [before] = await db
    .select({ email: users.email, pendingEmail: users.pendingEmail })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!before) return { ok: false };
  const pendingEmail = before.pendingEmail?.toLowerCase() === lower ? null : before.pendingEmail;
  await db.batch([
    db
      .update(users)
      .set({ email: null, emailVerified: false })
      .where(and(sql`lower(${users.email}) = ${lower}`, ne(users.id, userId), eq(users.emailVerified, false))),
    db.update(users).set({ email, emailVerified: true, pendingEmail }).where(eq(users.id, userId)),
  ]);
  const previous = before.email;
  return { ok: true, previous, changed: previous === null || previous.toLowerCase() !== lower };
}

/** Who holds `email` (case-insensitively), and whether they verified it; `null` when nobody does. */
export async function addressHolder(db: Database, email: string): Promise<{ id: number; emailVerified: boolean } | null> {
  const [row] = await db
    .select({ id: users.id, emailVerified: users.emailVerified })
    .from(users)
    .where(sql`lower(${users.email}) = ${email.toLowerCase()}`)
    .limit(1);
  return row ?? null;
}
