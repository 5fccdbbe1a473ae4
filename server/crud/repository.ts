import { and, eq, getTableColumns, type InferInsertModel, type InferSelectModel, type SQL } from 'drizzle-orm';
import type { AnySQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Database } from '../../db/client';

/** What the list reads are ordered by: a column, an `asc()`/`desc()` expression, or several. */
export type CrudOrder = AnySQLiteColumn | SQL | readonly (AnySQLiteColumn | SQL)[];

export interface ScopedRepositoryOptions<TTable extends SQLiteTable, TKey extends keyof InferSelectModel<TTable>> {
  table: TTable;
  /** The column holding the owner's user id. */
  scopeColumn: AnySQLiteColumn;
  /** The primary key column. */
  idColumn: AnySQLiteColumn;
  /** The columns read and returned (default: all of them). */
  columns?: readonly TKey[];
  /** List order (default: the id, newest first by insertion). */
  order?: CrudOrder;
}

/** One page of rows. */
export interface CrudPage<Row> {
  items: Row[];
  hasMore: boolean;
}

/** Reads and writes of one table, every one of them scoped to an owner. */
export interface ScopedRepository<Row, Insert> {
  /** A page of the owner's rows (`page` from 1). */
  list(db: Database, ownerId: number, params: { page: number; pageSize: number; where?: SQL | undefined }): Promise<CrudPage<Row>>;
  /** One of the owner's rows, or `null` (someone else's row included). */
  get(db: Database, ownerId: number, id: unknown, where?: SQL): Promise<Row | null>;
  /** Inserts a row owned by `ownerId` (whatever `values` says about the owner). */
  create(db: Database, ownerId: number, values: Partial<Insert>): Promise<Row>;
  /** Updates one of the owner's rows; `null` when there is none. The owner and id never change. */
  update(db: Database, ownerId: number, id: unknown, values: Partial<Insert>, where?: SQL): Promise<Row | null>;
  /** Deletes one of the owner's rows; `false` when there is none. */
  remove(db: Database, ownerId: number, id: unknown, where?: SQL): Promise<boolean>;
}

function keyOf(columns: Record<string, AnySQLiteColumn>, column: AnySQLiteColumn, role: string): string {
  const key = Object.keys(columns).find((k) => columns[k] === column);
  if (!key) throw new Error(`${role} must be a column of the table`);
  return key;
}

/**
 * The data layer of a user-scoped table: every read and write carries
 * `scopeColumn = ownerId`, so another owner's row is simply not there.
 * Knows nothing of tRPC or HTTP.
 *
 * @example
 * const repo = createScopedRepository({ table: notes, scopeColumn: notes.userId, idColumn: notes.id, order: desc(notes.id) });
 * const { items } = await repo.list(db, user.id, { page: 1, pageSize: 50 });
 */
export function createScopedRepository<
  TTable extends SQLiteTable,
  TKey extends keyof InferSelectModel<TTable> = keyof InferSelectModel<TTable>,
>(options: ScopedRepositoryOptions<TTable, TKey>): ScopedRepository<Pick<InferSelectModel<TTable>, TKey>, InferInsertModel<TTable>> {
  type Row = Pick<InferSelectModel<TTable>, TKey>;
  const { table, scopeColumn, idColumn } = options;
  const all = getTableColumns(table) as Record<string, AnySQLiteColumn>;
  const scopeKey = keyOf(all, scopeColumn, 'scopeColumn');
  const idKey = keyOf(all, idColumn, 'idColumn');
  const selection: Record<string, AnySQLiteColumn> = options.columns
    ? Object.fromEntries(options.columns.map((k) => [k as string, all[k as string]!]))
    : all;
  const order =
    options.order === undefined ? [idColumn] : Array.isArray(options.order) ? [...options.order] : [options.order as AnySQLiteColumn | SQL];
  // Drizzle's builders do not follow a generic table; rows are typed at the boundary.
  const source = table as SQLiteTable;
  const owned = (ownerId: number, extra?: SQL): SQL => and(eq(scopeColumn, ownerId), extra)!;
  const oneOwned = (ownerId: number, id: unknown, extra?: SQL): SQL => and(eq(scopeColumn, ownerId), eq(idColumn, id), extra)!;
  const writable = (values: Partial<InferInsertModel<TTable>>): Record<string, unknown> => {
    const out: Record<string, unknown> = { ...values };
    delete out[scopeKey];
    delete out[idKey];
    return out;
  };

  return {
    async list(db, ownerId, { page, pageSize, where }) {
      const rows = await db
        .select(selection)
        .from(source)
        .where(owned(ownerId, where))
        .orderBy(...order)
        .limit(pageSize + 1)
        .offset((page - 1) * pageSize);
      const hasMore = rows.length > pageSize;
      return { items: (hasMore ? rows.slice(0, pageSize) : rows) as Row[], hasMore };
    },
    async get(db, ownerId, id, where) {
      const [row] = await db
        .select(selection)
        .from(source)
        .where(oneOwned(ownerId, id, where))
        .limit(1);
      return (row as Row | undefined) ?? null;
    },
    async create(db, ownerId, values) {
      const [row] = await db
        .insert(source)
        .values({ ...writable(values), [scopeKey]: ownerId })
        .returning(selection);
      return row as Row;
    },
    async update(db, ownerId, id, values, where) {
      const set = writable(values);
      if (Object.keys(set).length === 0) return this.get(db, ownerId, id, where);
      const [row] = await db
        .update(source)
        .set(set)
        .where(oneOwned(ownerId, id, where))
        .returning(selection);
      return (row as Row | undefined) ?? null;
    },
    async remove(db, ownerId, id, where) {
      const rows = await db
        .delete(source)
        .where(oneOwned(ownerId, id, where))
        .returning({ id: idColumn });
      return rows.length > 0;
    },
  };
}
