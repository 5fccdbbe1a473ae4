import { blob, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from './auth';

/**
 * A provider identity: one account at an OAuth 2.0 / OpenID Connect provider
 * (`provider` + its stable `subject`), linked to one user. A user may hold
 * several; an identity belongs to one user only.
 */
export const providerIdentities = sqliteTable(
  'provider_identities',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The provider's id in config (`github`, `google`, or an OIDC provider's name, lower case). */
    provider: text('provider').notNull(),
    /** The provider's stable id of the account (`sub`, or GitHub's numeric id). */
    subject: text('subject').notNull(),
    /** The address the provider gave, for display only: never a login id. */
    email: text('email'),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at').notNull(),
    /** Only with `oauth.storeTokens`: AES-GCM under `oauth.tokenKey`. Null otherwise. */
    accessToken: blob('access_token', { mode: 'buffer' }),
    refreshToken: blob('refresh_token', { mode: 'buffer' }),
  },
  (t) => [uniqueIndex('provider_identities_subject_unique').on(t.provider, t.subject), index('provider_identities_user_idx').on(t.userId)],
);

export type ProviderIdentityRow = typeof providerIdentities.$inferSelect;
