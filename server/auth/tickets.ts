import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { authTokens } from '../../db/schema';
import { newToken, secretMatches, splitToken } from './secrets';

/**
 * Single-use cookie tickets. A login on the socket cannot set an HttpOnly
 * cookie, so it hands the tab a ticket that the tab POSTs to the cookie
 * endpoint. The ticket row holds only the SHA-256 of the ticket's secret and
 * the session token sealed with AES-GCM under a key derived from that secret:
 * the database alone can neither redeem a ticket nor reveal the token.
 */

const HKDF_INFO = new TextEncoder().encode('statehouse cookie ticket v1');
const IV_BYTES = 12;

async function ticketKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: HKDF_INFO },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function seal(secret: string, plaintext: string): Promise<Buffer> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await ticketKey(secret), new TextEncoder().encode(plaintext));
  return Buffer.concat([iv, new Uint8Array(sealed)]);
}

async function open(secret: string, payload: Uint8Array<ArrayBuffer>): Promise<string | null> {
  try {
    const iv = payload.subarray(0, IV_BYTES);
    const body = payload.subarray(IV_BYTES);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, await ticketKey(secret), body);
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

/**
 * Issues a ticket for a session token, valid for `ttlMs` (at most 60 s).
 *
 * @example
 * const ticket = await issueCookieTicket(db, { sessionId, sessionToken, ttlMs: 30_000 });
 */
export async function issueCookieTicket(
  db: Database,
  info: { sessionId: string; sessionToken: string; ttlMs: number },
  now: number = Date.now(),
): Promise<string> {
  const { id, secret, token, secretHash } = newToken();
  await db.insert(authTokens).values({
    id,
    secretHash: Buffer.from(secretHash),
    purpose: 'cookie_ticket',
    sessionId: info.sessionId,
    payload: await seal(secret, info.sessionToken),
    createdAt: now,
    expiresAt: now + Math.min(info.ttlMs, 60_000),
  });
  return token;
}

/**
 * Redeems a ticket once: returns the session token it carries, or `null` for
 * anything malformed, unknown, expired, already used or tampered with.
 */
export async function redeemCookieTicket(
  db: Database,
  ticket: string | null | undefined,
  now: number = Date.now(),
): Promise<{ sessionId: string; sessionToken: string } | null> {
  const parts = splitToken(ticket);
  if (!parts) return null;
  const [row] = await db.select().from(authTokens).where(eq(authTokens.id, parts.id)).limit(1);
  const matches = secretMatches(parts.secret, row ? new Uint8Array(row.secretHash) : new Uint8Array(32));
  if (!row || !matches || row.purpose !== 'cookie_ticket' || !row.payload || !row.sessionId) return null;
  if (row.usedAt !== null || now >= row.expiresAt) return null;
  // Claim it atomically: of two concurrent redemptions only one updates the row.
  const claimed = await db
    .update(authTokens)
    .set({ usedAt: now })
    .where(and(eq(authTokens.id, row.id), isNull(authTokens.usedAt)))
    .returning({ id: authTokens.id });
  if (claimed.length === 0) return null;
  const sessionToken = await open(parts.secret, new Uint8Array(row.payload));
  if (!sessionToken || splitToken(sessionToken)?.id !== row.sessionId) return null;
  return { sessionId: row.sessionId, sessionToken };
}

/** Deletes used and expired tokens of every purpose. Returns how many. */
export async function deleteStaleTokens(db: Database, now: number = Date.now()): Promise<number> {
  const rows = await db
    .delete(authTokens)
    .where(or(lt(authTokens.expiresAt, now), sql`${authTokens.usedAt} IS NOT NULL`))
    .returning({ id: authTokens.id });
  return rows.length;
}
