import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, type SQLiteColumnBuilderBase, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Django-shaped auth tables. All instants are milliseconds since the epoch
 * (plain integers: cheap to compare on the per-event path).
 */

/** The user columns Statehouse owns (a fresh set of builders per table). */
function authUserColumns() {
  return {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    email: text('email'),
    /**
     * An address the user gave that is not theirs to use: never a login id nor
     * a reset target. Sign-up keeps a typed address here when another account
     * holds it, so its answer looks the same as with a free address.
     */
    pendingEmail: text('pending_email'),
    /** Whether `email` was proven through an emailed link (`auth.emailVerification`). */
    emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    /** argon2id PHC string; '!' marks an unusable password. */
    passwordHash: text('password_hash').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    isStaff: integer('is_staff', { mode: 'boolean' }).notNull().default(false),
    isSuperuser: integer('is_superuser', { mode: 'boolean' }).notNull().default(false),
    dateJoined: integer('date_joined').notNull(),
    lastLogin: integer('last_login'),
  };
}

/** Column builders an app may add to `users`. */
export type UserColumnBuilders = Record<string, SQLiteColumnBuilderBase>;

/**
 * The `users` table: Statehouse's columns plus the app's own, Django's custom
 * user model. An app declares its table once in its schema (the one
 * drizzle-kit reads) and hands it to `defineUserModel`; its columns then
 * appear on `ctx.user`. Each added column must be nullable or have a default
 * (the CLI and the seed create users without them).
 *
 * @example
 * export const users = defineUsersTable({ displayName: text('display_name').notNull().default('') });
 */
export function defineUsersTable<TExtra extends UserColumnBuilders = Record<never, never>>(extra: TExtra = {} as TExtra) {
  const columns = authUserColumns();
  for (const name of Object.keys(extra)) {
    if (name in columns) throw new TypeError(`users: "${name}" is one of Statehouse's own columns`);
  }
  return sqliteTable('users', { ...columns, ...extra }, (t) => [
    uniqueIndex('users_username_lower_unique').on(sql`lower(${t.username})`),
    uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`),
  ]);
}

/**
 * Statehouse's view of `users`: its own columns only, whatever the app
 * added. The schema drizzle-kit reads (`db/schema/index.ts`) holds the
 * app's full table instead.
 */
export const users = defineUsersTable();

export const groups = sqliteTable('groups', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
});

export const permissions = sqliteTable(
  'permissions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    appLabel: text('app_label').notNull(),
    codename: text('codename').notNull(),
    name: text('name').notNull(),
  },
  (t) => [uniqueIndex('permissions_app_codename_unique').on(t.appLabel, t.codename)],
);

export const userGroups = sqliteTable(
  'user_groups',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    groupId: integer('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.groupId] }), index('user_groups_group_idx').on(t.groupId)],
);

export const groupPermissions = sqliteTable(
  'group_permissions',
  {
    groupId: integer('group_id')
      .notNull()
      .references(() => groups.id, { onDelete: 'cascade' }),
    permissionId: integer('permission_id')
      .notNull()
      .references(() => permissions.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.permissionId] })],
);

export const userPermissions = sqliteTable(
  'user_permissions',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    permissionId: integer('permission_id')
      .notNull()
      .references(() => permissions.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.permissionId] })],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the token's secret part; the secret itself is never stored. */
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    /** Null for an anonymous visitor's session. */
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    /** Last time the inactivity window was renewed (throttled writes). */
    lastVerifiedAt: integer('last_verified_at').notNull(),
    /** Inactivity expiry: moves forward on use. */
    expiresAt: integer('expires_at').notNull(),
    /** Absolute expiry: never moves. */
    absoluteExpiresAt: integer('absolute_expires_at').notNull(),
    userAgent: text('user_agent').notNull().default(''),
    ip: text('ip').notNull().default(''),
    /** When the session last proved its user (sign-in, "Confirm it's you"); null: at `createdAt`. */
    authenticatedAt: integer('authenticated_at'),
    /** How the session signed in (`password`, …); shown in the sessions list. */
    signInMethod: text('sign_in_method').notNull().default('password'),
  },
  (t) => [
    index('sessions_user_idx').on(t.userId),
    index('sessions_expires_idx').on(t.expiresAt),
    // Housekeeping finds sessions past either expiry without a scan.
    index('sessions_absolute_expires_idx').on(t.absoluteExpiresAt),
  ],
);

/** Session data, one row per key: writing one key never overwrites another. */
export const sessionData = sqliteTable(
  'session_data',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** JSON text. */
    value: text('value').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.key] })],
);

/** Single-use tokens: cookie tickets, password-reset and email-verification links, provider sign-in state, emailed sign-in links. */
export const authTokens = sqliteTable(
  'auth_tokens',
  {
    id: text('id').primaryKey(),
    secretHash: blob('secret_hash', { mode: 'buffer' }).notNull(),
    purpose: text('purpose', { enum: ['cookie_ticket', 'password_reset', 'email_verification', 'oauth_state', 'sign_in_link'] }).notNull(),
    userId: integer('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /**
     * Cookie tickets: the session the sealed token belongs to. No foreign key:
     * sessions may live in another store (`session.backend`); redeeming a
     * ticket validates its session anyway, and housekeeping deletes it once
     * used or expired (60 s at most).
     */
    sessionId: text('session_id'),
    /**
     * Cookie tickets: the session token, AES-GCM encrypted under a key derived
     * from the ticket's secret (which only the client holds). Null otherwise.
     */
    payload: blob('payload', { mode: 'buffer' }),
    /** Email-verification links: the address the link proves. */
    email: text('email'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
  },
  (t) => [
    index('auth_tokens_user_idx').on(t.userId, t.purpose),
    index('auth_tokens_expires_idx').on(t.expiresAt),
    // Used tokens are deleted by housekeeping.
    index('auth_tokens_used_idx').on(t.usedAt),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;
export type GroupRow = typeof groups.$inferSelect;
export type PermissionRow = typeof permissions.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type NewSessionRow = typeof sessions.$inferInsert;
export type AuthTokenRow = typeof authTokens.$inferSelect;
