import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The security audit log: one row per security event, appended and never
 * updated. Rows outlive the users they name (no foreign keys: a deleted
 * user's history stays readable under the name they had), until housekeeping
 * deletes them after `audit.retentionDays`. A row never holds a token, a
 * password, a code or a typed login id: `detail` carries names (a group, a
 * permission, a reason) only.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** Milliseconds since the epoch. */
    at: integer('at').notNull(),
    /** One of `AUDIT_EVENT_TYPES` (`login.succeeded`, `admin.user_deactivated`, …). */
    type: text('type').notNull(),
    /** Who did it: null for an anonymous visitor or the command line. */
    actorId: integer('actor_id'),
    actorName: text('actor_name').notNull().default(''),
    /** Whose account it concerns (the same as the actor for one's own events). */
    targetUserId: integer('target_user_id'),
    targetName: text('target_name').notNull().default(''),
    ip: text('ip').notNull().default(''),
    userAgent: text('user_agent').notNull().default(''),
    /** Where it came from: `socket`, `http` or `cli`. */
    via: text('via').notNull().default('socket'),
    /** JSON object of short strings, numbers and booleans (never a secret). */
    detail: text('detail').notNull().default('{}'),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at),
    index('audit_events_target_idx').on(t.targetUserId, t.at),
    index('audit_events_actor_idx').on(t.actorId, t.at),
    index('audit_events_type_idx').on(t.type, t.at),
    index('audit_events_ip_idx').on(t.ip, t.at),
  ],
);

export type AuditEventRow = typeof auditEvents.$inferSelect;
export type NewAuditEventRow = typeof auditEvents.$inferInsert;
