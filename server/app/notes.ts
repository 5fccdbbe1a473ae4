import { TRPCError } from '@trpc/server';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { notes } from '../../db/schema';
import { authed, can } from '../auth/middleware';
import { userHasPerm } from '../auth/permissions';
import type { LoggedInUser } from '../auth/user';
import type { Database } from '../../db/client';
import { publicProcedure, router, type EventContext } from '../trpc';
import { notesSlice } from './slices';

const noteInput = z.object({
  title: z.string().trim().min(1, 'Enter a title.').max(200),
  content: z.string().max(10_000).default(''),
});

async function listNotes(db: Database, userId: number) {
  return db
    .select({ id: notes.id, title: notes.title, content: notes.content, updatedAt: notes.updatedAt })
    .from(notes)
    .where(eq(notes.userId, userId))
    .orderBy(desc(notes.id))
    .limit(200);
}

/** Refreshes the notes slice: the caller's notes only, and whether they may delete. */
async function syncNotes(ctx: EventContext & { user: LoggedInUser }) {
  const items = await listNotes(ctx.db, ctx.user.id);
  ctx.state.set(notesSlice, { items, canDelete: await userHasPerm(ctx.db, ctx.user, 'notes.delete_note') });
  return items;
}

/** The example app's notes: every read and write scoped to `ctx.user`. */
export const notesRouter = router({
  list: publicProcedure.use(authed()).query(function list({ ctx }) {
    return syncNotes(ctx);
  }),
  add: publicProcedure
    .use(authed())
    .input(noteInput)
    .mutation(async function add({ ctx, input }) {
      const now = Date.now();
      const [row] = await ctx.db
        .insert(notes)
        .values({ userId: ctx.user.id, title: input.title, content: input.content, createdAt: now, updatedAt: now })
        .returning({ id: notes.id });
      await syncNotes(ctx);
      return { id: row!.id };
    }),
  update: publicProcedure
    .use(authed())
    .input(noteInput.extend({ id: z.number().int().positive() }))
    .mutation(async function update({ ctx, input }) {
      const rows = await ctx.db
        .update(notes)
        .set({ title: input.title, content: input.content, updatedAt: Date.now() })
        .where(and(eq(notes.id, input.id), eq(notes.userId, ctx.user.id)))
        .returning({ id: notes.id });
      if (rows.length === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such note.' });
      await syncNotes(ctx);
      return { id: input.id };
    }),
  delete: publicProcedure
    .use(can('notes.delete_note'))
    .input(z.object({ id: z.number().int().positive() }))
    .mutation(async function remove({ ctx, input }) {
      const rows = await ctx.db
        .delete(notes)
        .where(and(eq(notes.id, input.id), eq(notes.userId, ctx.user.id)))
        .returning({ id: notes.id });
      if (rows.length === 0) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such note.' });
      await syncNotes(ctx);
      return { id: input.id };
    }),
});
