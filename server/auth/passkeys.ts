import { and, asc, count, eq } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { passkeys, type NewPasskeyRow, type PasskeyRow } from '../../db/schema';

/**
 * The `passkeys` table: WebAuthn credentials, each linked to one user. What
 * leaves this module for a page is a {@link PasskeySummary}: never the public
 * key, the credential id or the user handle.
 */

/** What Settings → **Passkeys** shows of one passkey. */
export interface PasskeySummary {
  id: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
  /** Synced to the user's other devices by their platform (the backup-state flag). */
  backedUp: boolean;
}

/** Longest name a passkey may be given. */
export const PASSKEY_NAME_MAX = 64;

export async function listPasskeys(db: Database, userId: number): Promise<PasskeySummary[]> {
  return db
    .select({
      id: passkeys.id,
      name: passkeys.name,
      createdAt: passkeys.createdAt,
      lastUsedAt: passkeys.lastUsedAt,
      backedUp: passkeys.backedUp,
    })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt), asc(passkeys.id));
}

export async function countPasskeys(db: Database, userId: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, userId));
  return row?.n ?? 0;
}

/** The credential ids a user holds (for `excludeCredentials` and `allowCredentials`). */
export async function credentialsOf(db: Database, userId: number): Promise<Pick<PasskeyRow, 'credentialId' | 'transports'>[]> {
  return db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(eq(passkeys.userId, userId));
}

export async function findPasskeyByCredentialId(db: Database, credentialId: string): Promise<PasskeyRow | null> {
  const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId)).limit(1);
  return row ?? null;
}

/** The user's WebAuthn user handle, when they registered a passkey before (every passkey of a user shares it). */
export async function userHandleOf(db: Database, userId: number): Promise<string | null> {
  const [row] = await db.select({ userHandle: passkeys.userHandle }).from(passkeys).where(eq(passkeys.userId, userId)).limit(1);
  return row?.userHandle ?? null;
}

/** Stores a verified registration. Fails (unique index) for a credential id registered already. */
export async function insertPasskey(db: Database, row: Omit<NewPasskeyRow, 'id'>): Promise<number> {
  const [inserted] = await db.insert(passkeys).values(row).returning({ id: passkeys.id });
  return inserted!.id;
}

/**
 * Records a verified assertion: the new counter and backup state, and when.
 * Only while the stored counter is still the one the assertion was checked
 * against, so two assertions racing with one counter value cannot both pass.
 */
export async function recordPasskeyUse(
  db: Database,
  id: number,
  use: { expectedCounter: number; counter: number; backedUp: boolean },
  now: number = Date.now(),
): Promise<boolean> {
  const updated = await db
    .update(passkeys)
    .set({ counter: use.counter, backedUp: use.backedUp, lastUsedAt: now })
    .where(and(eq(passkeys.id, id), eq(passkeys.counter, use.expectedCounter)))
    .returning({ id: passkeys.id });
  return updated.length === 1;
}

export async function renamePasskey(db: Database, userId: number, id: number, name: string): Promise<boolean> {
  const updated = await db
    .update(passkeys)
    .set({ name })
    .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
    .returning({ id: passkeys.id });
  return updated.length === 1;
}

export async function deletePasskey(db: Database, userId: number, id: number): Promise<PasskeySummary | null> {
  const [removed] = await db
    .delete(passkeys)
    .where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
    .returning({
      id: passkeys.id,
      name: passkeys.name,
      createdAt: passkeys.createdAt,
      lastUsedAt: passkeys.lastUsedAt,
      backedUp: passkeys.backedUp,
    });
  return removed ?? null;
}
