import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from './auth';

/**
 * A user's authenticator app (TOTP). The row exists from **Set up
 * authenticator app** on; two-factor is on once `enabledAt` is set (the user
 * typed a code from the app). The secret is AES-256-GCM sealed under
 * `twoFactor.key`: the database alone cannot compute codes.
 */
export const twoFactorSecrets = sqliteTable('two_factor_secrets', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** The TOTP key, sealed (`iv ‖ ciphertext ‖ tag`). */
  secret: blob('secret', { mode: 'buffer' }).notNull(),
  createdAt: integer('created_at').notNull(),
  /** Null while set up but not yet confirmed with a code. */
  enabledAt: integer('enabled_at'),
  /** The last 30-second step whose code was accepted: a code is accepted once. */
  lastUsedStep: integer('last_used_step').notNull().default(0),
});

/** Recovery codes: SHA-256 of each, single use. Regenerating replaces them all. */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: blob('code_hash', { mode: 'buffer' }).notNull(),
    createdAt: integer('created_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [index('recovery_codes_user_idx').on(t.userId)],
);

/**
 * Devices a user chose to trust for 30 days (**Trust this device for 30
 * days**): the browser holds `id.secret` in an HttpOnly cookie, the row the
 * SHA-256 of the secret. Deleting the rows revokes the cookies.
 */
export const trustedDevices = sqliteTable(
  'trusted_devices',
  {
    id: text('id').primaryKey(),
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('trusted_devices_user_idx').on(t.userId), index('trusted_devices_expires_idx').on(t.expiresAt)],
);

/**
 * Second steps pending after a sign-in that ended over HTTP (a provider's
 * callback, an emailed link): the browser holds `id.secret` in a short-lived
 * HttpOnly cookie, which the two-factor page's socket carries on its upgrade.
 */
export const pendingSecondSteps = sqliteTable(
  'pending_second_steps',
  {
    id: text('id').primaryKey(),
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The first step's sign-in method (`oauth:github`, `email-link`). */
    method: text('method').notNull(),
    /** Wrong codes typed against it so far. */
    failures: integer('failures').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('pending_second_steps_expires_idx').on(t.expiresAt)],
);

export type TwoFactorSecretRow = typeof twoFactorSecrets.$inferSelect;
export type RecoveryCodeRow = typeof recoveryCodes.$inferSelect;
export type TrustedDeviceRow = typeof trustedDevices.$inferSelect;
export type PendingSecondStepRow = typeof pendingSecondSteps.$inferSelect;
