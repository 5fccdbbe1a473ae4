import { desc } from 'drizzle-orm';
import { z } from 'zod';
import { notes } from '../../db/schema';
import { createScopedRepository, router, scopedCrudProcedures } from '../index';
import { notesSlice } from './slices';

/** A note's fields as a page or an HTTP client sends them. */
export const noteInput = z.object({
  title: z.string().trim().min(1, 'Enter a title.').max(200),
  content: z.string().max(10_000).default(''),
});

/** The fields of a note the pages see. */
const NOTE_COLUMNS = ['id', 'title', 'content', 'updatedAt'] as const;

/** Newest first; one page holds what the notes page shows. */
const NOTES_ORDER = desc(notes.id);
const NOTES_PAGE_SIZE = 200;

/** The caller's notes, newest first (shared by the socket procedures and `GET /api/notes`). */
export const notesRepository = createScopedRepository({
  table: notes,
  scopeColumn: notes.userId,
  idColumn: notes.id,
  columns: NOTE_COLUMNS,
  order: NOTES_ORDER,
});

/** The timestamps of a note written now (`createdAt` only for a new one). */
export function noteTimestamps(): { createdAt: number; updatedAt: number } {
  const now = Date.now();
  return { createdAt: now, updatedAt: now };
}

const { create, ...procedures } = scopedCrudProcedures({
  table: notes,
  scopeColumn: notes.userId,
  idColumn: notes.id,
  input: noteInput,
  columns: NOTE_COLUMNS,
  order: NOTES_ORDER,
  pageSize: NOTES_PAGE_SIZE,
  slice: notesSlice,
  actions: { delete: { perm: 'notes.delete_note' } },
  notFoundMessage: 'No such note.',
  hooks: {
    createValues: noteTimestamps,
    updateValues: () => ({ updatedAt: Date.now() }),
  },
});

/**
 * The example app's notes: `list`, `get`, `add`, `update`, `delete`, every
 * read and write scoped to `ctx.user`; deleting needs `notes.delete_note`.
 * The `notes` slice follows every change.
 */
export const notesRouter = router({ ...procedures, add: create });
