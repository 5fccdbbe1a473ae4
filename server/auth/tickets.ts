import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { preparedFor } from '../../db/prepared';
import { authTokens } from '../../db/schema';
import { openWith, sealWith, secretKey } from './sealing';
import { newToken, splitToken } from './secrets';
import { claimToken } from './user-tokens';

/**
 * Single-use cookie tickets. A login on the socket cannot set an HttpOnly
 * cookie, so it hands the tab a ticket that the tab POSTs to the cookie
 * endpoint. The ticket row holds only the SHA-256 of the ticket's secret and
 * the session token sealed with AES-GCM under a key derived from that secret:
 * the database alone can neither redeem a ticket nor reveal the token.
 */

const HKDF_INFO = 'statehouse cookie ticket v1';

function seal(secret: string, plaintext: string): Buffer {
  return sealWith(secretKey(secret, HKDF_INFO), plaintext);
}

function open(secret: string, payload: Uint8Array): string | null {
  return openWith(secretKey(secret, HKDF_INFO), payload);
}

/** Every login issues a ticket: its insert is built once per database. */
const statements = preparedFor((db: Database) => ({
  insert: db
    .insert(authTokens)
    .values({
      id: sql.placeholder('id'),
      secretHash: sql.placeholder('secretHash'),
      purpose: 'cookie_ticket',
      sessionId: sql.placeholder('sessionId'),
      payload: sql.placeholder('payload'),
      createdAt: sql.placeholder('createdAt'),
      expiresAt: sql.placeholder('expiresAt'),
    })
    .prepare(),
}));

export interface CookieTicketInfo {
  sessionId: string;
  sessionToken: string;
  ttlMs: number;
  /** A trusted-device token the cookie endpoint sets beside the session's. */
  deviceToken?: string;
}

/** A new ticket and its row's values. */
function newTicket(info: CookieTicketInfo, now: number) {
  const { id, secret, token, secretHash } = newToken();
  // A trusted-device token rides along after a space (neither token holds one).
  const plaintext = info.deviceToken ? `${info.sessionToken} ${info.deviceToken}` : info.sessionToken;
  const values = {
    id,
    secretHash: Buffer.from(secretHash),
    sessionId: info.sessionId,
    payload: seal(secret, plaintext),
    createdAt: now,
    expiresAt: now + Math.min(info.ttlMs, 60_000),
  };
  return { token, values };
}

/**
 * Issues a ticket for a session token, valid for `ttlMs` (at most 60 s).
 *
 * @example
 * const ticket = await issueCookieTicket(db, { sessionId, sessionToken, ttlMs: 30_000 });
 */
export async function issueCookieTicket(db: Database, info: CookieTicketInfo, now: number = Date.now()): Promise<string> {
  const { token, values } = newTicket(info, now);
  await statements(db).insert.execute(values);
  return token;
}

/**
 * A ticket as {@link issueCookieTicket} makes it, and the insert of its row
 * for the caller's own transaction (a sign-in's, with its session): the
 * ticket is good once that commits.
 */
export function cookieTicketInsert(db: Database, info: CookieTicketInfo, now: number = Date.now()) {
  const { token, values } = newTicket(info, now);
  return { ticket: token, insert: db.insert(authTokens).values({ ...values, purpose: 'cookie_ticket' }) };
}

/**
 * Redeems a ticket once: returns the session token it carries (and the
 * trusted-device token of a second step that asked for one), or `null` for
 * anything malformed, unknown, expired, already used or tampered with.
 */
export async function redeemCookieTicket(
  db: Database,
  ticket: string | null | undefined,
  now: number = Date.now(),
): Promise<{ sessionId: string; sessionToken: string; deviceToken?: string } | null> {
  const claimed = await claimToken(db, ticket, 'cookie_ticket', now);
  if (!claimed?.row.payload || !claimed.row.sessionId) return null;
  const { row, secret } = claimed;
  const opened = open(secret, new Uint8Array(row.payload!));
  const [sessionToken, deviceToken] = opened?.split(' ') ?? [];
  if (!sessionToken || splitToken(sessionToken)?.id !== row.sessionId) return null;
  return deviceToken ? { sessionId: row.sessionId!, sessionToken, deviceToken } : { sessionId: row.sessionId!, sessionToken };
}
