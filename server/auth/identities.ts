import { and, count, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { providerIdentities, type ProviderIdentityRow } from '../../db/schema';
import { sealWith } from './sealing';

/**
 * Provider identities: `(provider, subject)` linked to one user. Provider
 * tokens are kept only when the app asks (`oauth.storeTokens`), sealed with
 * AES-256-GCM under `oauth.tokenKey`; otherwise the columns stay null.
 */

/** What the settings page shows of an identity: never a token. */
export interface ConnectedAccount {
  id: number;
  provider: string;
  email: string | null;
  createdAt: number;
  lastUsedAt: number;
}

export async function findIdentity(db: Database, provider: string, subject: string): Promise<ProviderIdentityRow | null> {
  const [row] = await db
    .select()
    .from(providerIdentities)
    .where(and(eq(providerIdentities.provider, provider), eq(providerIdentities.subject, subject)))
    .limit(1);
  return row ?? null;
}

/** Provider tokens to keep, sealed, or `null` to keep none. */
export type StoredTokens = { key: Uint8Array; accessToken: string; refreshToken: string | null } | null;

function sealedTokens(tokens: StoredTokens) {
  if (!tokens) return { accessToken: null, refreshToken: null };
  return {
    accessToken: sealWith(tokens.key, tokens.accessToken),
    refreshToken: tokens.refreshToken === null ? null : sealWith(tokens.key, tokens.refreshToken),
  };
}

/** Links `(provider, subject)` to a user. Fails (unique index) when the identity is linked already. */
export async function linkIdentity(
  db: Database,
  identity: { userId: number; provider: string; subject: string; email: string | null },
  tokens: StoredTokens,
  now: number = Date.now(),
): Promise<void> {
  await db.insert(providerIdentities).values({ ...identity, createdAt: now, lastUsedAt: now, ...sealedTokens(tokens) });
}

/** Records a sign-in with an identity (and its fresh tokens when they are kept). */
export async function touchIdentity(db: Database, id: number, tokens: StoredTokens, now: number = Date.now()): Promise<void> {
  await db
    .update(providerIdentities)
    .set({ lastUsedAt: now, ...sealedTokens(tokens) })
    .where(eq(providerIdentities.id, id));
}

export async function listIdentities(db: Database, userId: number): Promise<ConnectedAccount[]> {
  return db
    .select({
      id: providerIdentities.id,
      provider: providerIdentities.provider,
      email: providerIdentities.email,
      createdAt: providerIdentities.createdAt,
      lastUsedAt: providerIdentities.lastUsedAt,
    })
    .from(providerIdentities)
    .where(eq(providerIdentities.userId, userId))
    .orderBy(providerIdentities.createdAt);
}

export async function countIdentities(db: Database, userId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(providerIdentities).where(eq(providerIdentities.userId, userId));
  return row?.n ?? 0;
}

/** Removes one of the user's identities; `false` when it is not theirs. */
export async function unlinkIdentity(db: Database, userId: number, id: number): Promise<boolean> {
  const removed = await db
    .delete(providerIdentities)
    .where(and(eq(providerIdentities.id, id), eq(providerIdentities.userId, userId)))
    .returning({ id: providerIdentities.id });
  return removed.length === 1;
}
