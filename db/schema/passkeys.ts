import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './auth';

/**
 * A passkey: one WebAuthn credential registered to one user. The public key
 * is public (it verifies, it cannot sign), but it still never leaves the
 * server: no snapshot, slice or log line carries it.
 */
export const passkeys = sqliteTable(
  'passkeys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The credential id the authenticator chose, base64url: what an assertion names. */
    credentialId: text('credential_id').notNull(),
    /** The COSE public key from the attestation. */
    publicKey: blob('public_key', { mode: 'buffer' }).notNull(),
    /** The WebAuthn user handle (random, 32 bytes, base64url), the same for all passkeys of a user: never the user id. */
    userHandle: text('user_handle').notNull(),
    /** The authenticator's signature counter as last seen (0: the authenticator keeps none). */
    counter: integer('counter').notNull().default(0),
    /** `singleDevice` or `multiDevice` (the backup-eligible flag at registration). */
    deviceType: text('device_type', { enum: ['singleDevice', 'multiDevice'] }).notNull(),
    /** The backup-state flag as last seen (a synced passkey). */
    backedUp: integer('backed_up', { mode: 'boolean' }).notNull(),
    /** JSON array of transports the browser reported (`internal`, `hybrid`, `usb`, …), a hint for later prompts. */
    transports: text('transports').notNull().default('[]'),
    /** The authenticator model's AAGUID (all zeros for most "none" attestations). */
    aaguid: text('aaguid').notNull(),
    /** The user's name for it, editable in Settings. */
    name: text('name').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [uniqueIndex('passkeys_credential_unique').on(t.credentialId), index('passkeys_user_idx').on(t.userId)],
);

export type PasskeyRow = typeof passkeys.$inferSelect;
export type NewPasskeyRow = typeof passkeys.$inferInsert;
