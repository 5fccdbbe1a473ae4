import { getTableColumns, getTableName } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { z } from 'zod';
import type { Database } from '../../db/client';
import { users, type UserRow } from '../../db/schema/auth';

type Nothing = Record<never, never>;

/** A `users` table made by `defineUsersTable`: Statehouse's columns and maybe the app's. */
export type UsersTable = SQLiteTable & { $inferSelect: UserRow };

/** The app's own columns of a users table. */
type OwnFields<TTable extends UsersTable> = Omit<TTable['$inferSelect'], keyof UserRow>;

export interface UserModelOptions<
  TTable extends UsersTable,
  TSnapshot extends keyof OwnFields<TTable> & string,
  TRegistration extends z.ZodType<Partial<OwnFields<TTable>>>,
> {
  /** The app's `users` table (`defineUsersTable({...})` in its schema). */
  table: TTable;
  /** Which of the app's fields the client's `auth` snapshot carries (none by default: the snapshot reaches the browser). */
  snapshot?: readonly TSnapshot[];
  /** Extra sign-up fields: a zod object over some of the app's fields, validated before the user is created. */
  registration?: TRegistration;
}

/**
 * The app's user model: which columns of `users` are its own (they appear on
 * `ctx.user`, `currentUser()` and the HTTP identity's `user`), which of them
 * the client sees, and what sign-up may set. Made by {@link defineUserModel};
 * `$types` carries the types to `Register`, it holds no value.
 */
export interface UserModel<TFields = Nothing, TSnapshot = Nothing, TRegistration = Nothing> {
  readonly table: UsersTable;
  /** The app's own columns, by field name. */
  readonly fields: Readonly<Record<string, SQLiteColumn>>;
  readonly fieldNames: readonly string[];
  readonly snapshotFields: readonly string[];
  readonly registration: z.ZodType | null;
  /** The fields `registration` declares: the only ones sign-up writes, whatever the schema lets through. */
  readonly registrationKeys: readonly string[];
  readonly $types: { fields: TFields; snapshot: TSnapshot; registration: TRegistration };
}

/**
 * Declares the app's own user fields (Django's custom user model). Checked
 * at once: the table must be `users` with Statehouse's columns, each added
 * column nullable or with a default (the CLI and the seed create users
 * without them), and `snapshot` and `registration` may name only added
 * columns (never `passwordHash` or another of Statehouse's own).
 *
 * @example
 * export const userModel = defineUserModel({
 *   table: users,
 *   snapshot: ['displayName'],
 *   registration: z.object({ displayName: z.string().trim().max(50) }),
 * });
 */
export function defineUserModel<
  TTable extends UsersTable,
  TSnapshot extends keyof OwnFields<TTable> & string = never,
  TRegistration extends z.ZodType<Partial<OwnFields<TTable>>> = z.ZodType<Nothing>,
>(
  options: UserModelOptions<TTable, TSnapshot, TRegistration>,
): UserModel<OwnFields<TTable>, Pick<OwnFields<TTable>, TSnapshot>, z.infer<TRegistration>> {
  const { table } = options;
  if (getTableName(table) !== 'users') throw new TypeError(`defineUserModel: the table is "${getTableName(table)}", not "users"`);
  const columns = getTableColumns(table) as Record<string, SQLiteColumn>;
  const own = getTableColumns(users) as Record<string, SQLiteColumn>;
  for (const [name, column] of Object.entries(own)) {
    if (columns[name]?.name !== column.name) throw new TypeError(`defineUserModel: the table lacks Statehouse's column "${name}"`);
  }
  const ownColumnNames = new Set(Object.values(own).map((column) => column.name));
  const fields: Record<string, SQLiteColumn> = {};
  for (const [name, column] of Object.entries(columns)) {
    if (name in own) continue;
    // A field of another name over one of Statehouse's columns (say, the password hash) would leak it.
    if (ownColumnNames.has(column.name)) throw new TypeError(`defineUserModel: users.${name} is Statehouse's column "${column.name}"`);
    if (column.notNull && !column.hasDefault) {
      throw new TypeError(`defineUserModel: users.${name} must be nullable or have a default (users are created without it)`);
    }
    fields[name] = column;
  }
  const fieldNames = Object.freeze(Object.keys(fields));
  const snapshotFields = Object.freeze([...(options.snapshot ?? [])]);
  for (const name of snapshotFields) {
    if (!(name in fields)) throw new TypeError(`defineUserModel: snapshot names "${name}", which is not a field of the app's own`);
  }
  const registration = options.registration ?? null;
  const shape = (registration as { shape?: Record<string, unknown> } | null)?.shape;
  if (registration && !shape) throw new TypeError('defineUserModel: registration must be a zod object');
  for (const name of Object.keys(shape ?? {})) {
    if (!(name in fields)) throw new TypeError(`defineUserModel: registration names "${name}", which is not a field of the app's own`);
  }
  return Object.freeze({
    table,
    fields: Object.freeze(fields),
    fieldNames,
    snapshotFields,
    registration,
    registrationKeys: Object.freeze(Object.keys(shape ?? {})),
    $types: undefined as never,
  });
}

/** Statehouse's own user: no fields of the app's. */
export const DEFAULT_USER_MODEL: UserModel = defineUserModel({ table: users });

/**
 * Prepared statements that read users with a model's fields, built once per
 * database and model.
 */
export function preparedForUsers<T>(build: (db: Database, model: UserModel) => T): (db: Database, model: UserModel) => T {
  const cache = new WeakMap<Database, WeakMap<UserModel, T>>();
  return (db, model) => {
    let byModel = cache.get(db);
    if (byModel === undefined) cache.set(db, (byModel = new WeakMap()));
    let statements = byModel.get(model);
    if (statements === undefined) byModel.set(model, (statements = build(db, model)));
    return statements;
  };
}

/** The app's fields of a row read from the model's table. */
export function ownFieldsOf(model: UserModel, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of model.fieldNames) out[name] = row[name] ?? null;
  return out;
}
