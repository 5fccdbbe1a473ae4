import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Named leases: at most one holder of a name at a time, until `expiresAt`
 * (milliseconds since the epoch). Taken and renewed with one conditional
 * upsert, so processes sharing the database (a file or a libSQL server) agree
 * on who runs a job such as housekeeping.
 */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  /** Who holds it: a random id per process. */
  holder: text('holder').notNull(),
  expiresAt: integer('expires_at').notNull(),
});

export type LeaseRow = typeof leases.$inferSelect;
