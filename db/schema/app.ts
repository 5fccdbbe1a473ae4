import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { defineUsersTable } from './auth';

/**
 * The example app's users: Statehouse's columns plus a display name, shown in
 * the navbar and edited in Settings (see `server/app/user-model.ts`).
 */
export const users = defineUsersTable({
  displayName: text('display_name').notNull().default(''),
});

/** The example app's notes: each row belongs to one user. */
export const notes = sqliteTable(
  'notes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    content: text('content').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('notes_user_idx').on(t.userId, t.id)],
);

export type NoteRow = typeof notes.$inferSelect;
export type NewNoteRow = typeof notes.$inferInsert;
