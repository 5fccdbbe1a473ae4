import { z } from 'zod';
import type { Database } from '../../../db/client';
import { authTokens } from '../../../db/schema';
import { openWith, sealWith, secretKey } from '../sealing';
import { newToken } from '../secrets';
import { claimToken } from '../user-tokens';

/**
 * What a provider sign-in must find again when the browser comes back: kept
 * in an `auth_tokens` row (purpose `oauth_state`) whose secret only the
 * browser's HttpOnly state cookie holds. The row stores the secret's hash and
 * this payload sealed under a key derived from it: the database alone can
 * neither redeem a flow nor read its PKCE verifier or nonce. Single use: the
 * callback claims the row atomically, so a replayed callback finds it used.
 */
export const flowState = z.object({
  provider: z.string(),
  state: z.string(),
  codeVerifier: z.string(),
  nonce: z.string(),
  /** A safe path (`safeNextPath`), or null for the configured landing page. */
  next: z.string().nullable(),
  /** `connect`: link the identity to the user signed in when the flow began. */
  intent: z.enum(['sign-in', 'connect']),
  /** The user who began a `connect` flow. */
  userId: z.number().int().nullable(),
});
export type FlowState = z.infer<typeof flowState>;

const HKDF_INFO = 'statehouse oauth state v1';

/** Stores a flow's state for `ttlMs`; returns the state cookie's value. */
export async function issueFlowState(db: Database, payload: FlowState, ttlMs: number, now: number = Date.now()): Promise<string> {
  const { id, secret, token, secretHash } = newToken();
  await db.insert(authTokens).values({
    id,
    secretHash: Buffer.from(secretHash),
    purpose: 'oauth_state',
    userId: payload.userId,
    payload: sealWith(secretKey(secret, HKDF_INFO), JSON.stringify(payload)),
    createdAt: now,
    expiresAt: now + ttlMs,
  });
  return token;
}

/**
 * Uses a state cookie's flow once: its payload, or `null` for a missing,
 * malformed, unknown, expired, already used or tampered cookie.
 */
export async function claimFlowState(db: Database, cookie: string | null | undefined, now: number = Date.now()): Promise<FlowState | null> {
  const claimed = await claimToken(db, cookie, 'oauth_state', now);
  if (!claimed?.row.payload) return null;
  const opened = openWith(secretKey(claimed.secret, HKDF_INFO), new Uint8Array(claimed.row.payload));
  if (opened === null) return null;
  const parsed = flowState.safeParse(JSON.parse(opened));
  return parsed.success ? parsed.data : null;
}
