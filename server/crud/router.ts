import { TRPCError } from '@trpc/server';
import { and, type InferInsertModel, type InferSelectModel, type SQL } from 'drizzle-orm';
import type { AnySQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { z } from 'zod';
import { isPermissionName, permissionHeld } from '../auth/permissions';
import { isLoggedIn } from '../auth/user';
import type { SliceDefinition, SliceValue } from '../state/slices';
import { guarded, publicProcedure } from '../bridge/bridge';
import { authed, can } from '../bridge/guards';
import { router, type EventContext } from '../bridge/trpc';
import { createScopedRepository, type CrudOrder, type ScopedRepository } from './repository';

/** The procedures a scoped CRUD router generates. */
export type CrudAction = 'list' | 'get' | 'create' | 'update' | 'delete';

/** Who may call one action: signed in (default) and, optionally, holding a permission. */
export interface CrudActionRule {
  /** Require a signed-in user (default `true`). With `false`, anonymous callers see nothing and cannot create. */
  auth?: boolean;
  /** Require this permission (`app_label.codename`; superusers pass, as with `can()`). */
  perm?: string;
}

export interface ScopedCrudHooks<TTable extends SQLiteTable, TInput> {
  /** Narrows every read and write (a row outside it is NOT_FOUND), e.g. `isNull(t.archivedAt)`. */
  getQuery?: (ctx: EventContext) => SQL | undefined;
  /** Narrows `list` only (and the slice), e.g. from the page's query: `ctx.request.query.get('q')`. */
  filter?: (ctx: EventContext) => SQL | undefined;
  /** Extra values for an insert (timestamps, defaults); the owner column is always `ctx.user.id`. */
  createValues?: (ctx: EventContext, input: TInput) => Partial<InferInsertModel<TTable>> | Promise<Partial<InferInsertModel<TTable>>>;
  /** Extra values for an update; the owner and id columns never change. */
  updateValues?: (ctx: EventContext, input: TInput) => Partial<InferInsertModel<TTable>> | Promise<Partial<InferInsertModel<TTable>>>;
}

export interface ScopedCrudOptions<TTable extends SQLiteTable, TInput extends z.ZodObject, TKey extends keyof InferSelectModel<TTable>> {
  table: TTable;
  /** The column holding the owner's user id: every read and write is scoped by it. */
  scopeColumn: AnySQLiteColumn;
  /** The primary key column (an integer or a text id). */
  idColumn: AnySQLiteColumn;
  /** Validates `create` and `update` input (field errors reach the client as `fieldErrors`). */
  input: TInput;
  /** The columns returned and mirrored (default: all). */
  columns?: readonly TKey[];
  /**
   * A slice kept current through deltas: written on `list` and after every
   * write. The helper sets `items`, `page`, `pageSize`, `hasMore`,
   * `canCreate`, `canUpdate`, `canDelete`: declare the ones you want.
   */
  slice?: SliceDefinition<string, Record<string, SliceValue>>;
  /** List order (default: the id, ascending). */
  order?: CrudOrder;
  /** Rows per page (default 50); `list` accepts up to `maxPageSize` (default 200). */
  pageSize?: number;
  maxPageSize?: number;
  actions?: Partial<Record<CrudAction, CrudActionRule>>;
  hooks?: ScopedCrudHooks<TTable, z.output<TInput>>;
  /** Message of the NOT_FOUND error (default `Not found.`). */
  notFoundMessage?: string;
}

const DEFAULT_PAGE_SIZE = 50;
const DEFAULT_MAX_PAGE_SIZE = 200;
const CAN_FIELDS: Record<string, CrudAction> = { canCreate: 'create', canUpdate: 'update', canDelete: 'delete' };

/** The base procedure of an action: public, signed in, or holding a permission. */
function procedureFor(rule: CrudActionRule | undefined): typeof publicProcedure {
  if (rule?.perm) {
    if (!isPermissionName(rule.perm)) throw new Error(`"${rule.perm}" is not an app_label.codename permission`);
    return guarded(can(rule.perm)) as unknown as typeof publicProcedure;
  }
  if (rule?.auth === false) return publicProcedure;
  return guarded(authed()) as unknown as typeof publicProcedure;
}

/** The signed-in user's id, or `null` for an anonymous caller of a public action. */
function ownerOf(ctx: EventContext): number | null {
  return isLoggedIn(ctx.user) ? ctx.user.id : null;
}

function idSchemaOf(idColumn: AnySQLiteColumn): z.ZodType<number | string> {
  return idColumn.dataType === 'number' ? z.number().int().positive() : z.string().min(1).max(128);
}

/**
 * The five procedures of a user-scoped table: `list` (paged), `get`,
 * `create`, `update`, `delete`. Reads and writes are always scoped to
 * `ctx.user`: another user's row is NOT_FOUND, never FORBIDDEN. Returned as
 * a record so an app can rename one (`{ ...rest, add: create }`); see
 * {@link scopedCrudRouter} for the router itself.
 *
 * @example
 * const { create, ...rest } = scopedCrudProcedures({ table: notes, scopeColumn: notes.userId, idColumn: notes.id, input: noteInput });
 * export const notesRouter = router({ ...rest, add: create });
 */
export function scopedCrudProcedures<
  TTable extends SQLiteTable,
  TInput extends z.ZodObject,
  TKey extends keyof InferSelectModel<TTable> = keyof InferSelectModel<TTable>,
>(options: ScopedCrudOptions<TTable, TInput, TKey>) {
  type Row = Pick<InferSelectModel<TTable>, TKey>;
  type Input = z.output<TInput>;
  const repo: ScopedRepository<Row, InferInsertModel<TTable>> = createScopedRepository<TTable, TKey>(options);
  const { actions = {}, hooks = {}, slice } = options;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxPageSize = Math.max(options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE, pageSize);
  const notFound = (): TRPCError => new TRPCError({ code: 'NOT_FOUND', message: options.notFoundMessage ?? 'Not found.' });
  const idInput = z.object({ id: idSchemaOf(options.idColumn) });
  const listInput = z
    .object({
      page: z.number().int().min(1).max(1_000_000).default(1),
      pageSize: z.number().int().min(1).max(maxPageSize).default(pageSize),
    })
    .prefault({});

  async function listFor(ctx: EventContext, page: number, size: number): Promise<{ items: Row[]; hasMore: boolean }> {
    const owner = ownerOf(ctx);
    if (owner === null) return { items: [], hasMore: false };
    return repo.list(ctx.db, owner, { page, pageSize: size, where: and2(hooks.getQuery?.(ctx), hooks.filter?.(ctx)) });
  }

  async function allowed(ctx: EventContext, action: CrudAction): Promise<boolean> {
    const rule = actions[action];
    if (rule?.perm) return permissionHeld(ctx.db, ctx.user, rule.perm);
    return rule?.auth === false || isLoggedIn(ctx.user);
  }

  /** Writes the slice: the given page, or the page it shows re-read after a write. */
  async function syncSlice(ctx: EventContext, listed?: { items: Row[]; hasMore: boolean; page: number; pageSize: number }): Promise<void> {
    if (!slice) return;
    const shown = ctx.state.get(slice);
    const page = listed?.page ?? (typeof shown.page === 'number' ? shown.page : 1);
    const size = listed?.pageSize ?? (typeof shown.pageSize === 'number' ? Math.min(shown.pageSize, maxPageSize) : pageSize);
    const result = listed ?? (await listFor(ctx, page, size));
    const patch: Record<string, SliceValue> = { items: result.items as SliceValue[], page, pageSize: size, hasMore: result.hasMore };
    for (const [field, action] of Object.entries(CAN_FIELDS)) {
      if (field in slice.initial) patch[field] = await allowed(ctx, action);
    }
    ctx.state.set(slice, patch);
  }

  async function valuesOf(
    hook: ScopedCrudHooks<TTable, Input>['createValues'],
    ctx: EventContext,
    input: Input,
  ): Promise<Partial<InferInsertModel<TTable>>> {
    return { ...(input as Partial<InferInsertModel<TTable>>), ...((await hook?.(ctx, input)) ?? {}) };
  }

  return {
    list: procedureFor(actions.list)
      .input(listInput)
      .query(async function list({ ctx, input }) {
        const result = await listFor(ctx, input.page, input.pageSize);
        await syncSlice(ctx, { ...result, page: input.page, pageSize: input.pageSize });
        return { items: result.items, page: input.page, pageSize: input.pageSize, hasMore: result.hasMore };
      }),
    get: procedureFor(actions.get)
      .input(idInput)
      .query(async function get({ ctx, input }): Promise<Row> {
        const owner = ownerOf(ctx);
        const row = owner === null ? null : await repo.get(ctx.db, owner, input.id, hooks.getQuery?.(ctx));
        if (!row) throw notFound();
        return row;
      }),
    create: procedureFor(actions.create)
      .input(options.input)
      .mutation(async function create({ ctx, input }): Promise<Row> {
        const owner = ownerOf(ctx);
        if (owner === null) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please sign in to continue.' });
        const row = await repo.create(ctx.db, owner, await valuesOf(hooks.createValues, ctx, input as Input));
        await syncSlice(ctx);
        return row;
      }),
    update: procedureFor(actions.update)
      .input(options.input.extend({ id: idSchemaOf(options.idColumn) }))
      .mutation(async function update({ ctx, input }): Promise<Row> {
        const owner = ownerOf(ctx);
        const { id, ...fields } = input as Input & { id: number | string };
        const values = owner === null ? null : await valuesOf(hooks.updateValues, ctx, fields as Input);
        const row = owner === null || !values ? null : await repo.update(ctx.db, owner, id, values, hooks.getQuery?.(ctx));
        if (!row) throw notFound();
        await syncSlice(ctx);
        return row;
      }),
    delete: procedureFor(actions.delete)
      .input(idInput)
      .mutation(async function remove({ ctx, input }): Promise<{ id: number | string }> {
        const owner = ownerOf(ctx);
        if (owner === null || !(await repo.remove(ctx.db, owner, input.id, hooks.getQuery?.(ctx)))) throw notFound();
        await syncSlice(ctx);
        return { id: input.id };
      }),
  };
}

/**
 * A router of the five user-scoped procedures (see {@link scopedCrudProcedures}).
 *
 * @example
 * export const todosRouter = scopedCrudRouter({
 *   table: todos, scopeColumn: todos.userId, idColumn: todos.id, input: todoInput,
 *   slice: todosSlice, order: desc(todos.id), actions: { delete: { perm: 'todos.delete_todo' } },
 * });
 */
export function scopedCrudRouter<
  TTable extends SQLiteTable,
  TInput extends z.ZodObject,
  TKey extends keyof InferSelectModel<TTable> = keyof InferSelectModel<TTable>,
>(options: ScopedCrudOptions<TTable, TInput, TKey>) {
  return router(scopedCrudProcedures(options));
}

function and2(a: SQL | undefined, b: SQL | undefined): SQL | undefined {
  if (a && b) return and(a, b);
  return a ?? b;
}
