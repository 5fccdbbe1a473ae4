import type { Database } from './client';

/**
 * Builds a set of prepared statements once per database handle.
 *
 * @example
 * const statements = preparedFor((db) => ({ byId: db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare() }));
 * await statements(db).byId.execute({ id: 1 });
 */
export function preparedFor<T>(build: (db: Database) => T): (db: Database) => T {
  const cache = new WeakMap<Database, T>();
  return (db) => {
    let statements = cache.get(db);
    if (statements === undefined) {
      statements = build(db);
      cache.set(db, statements);
    }
    return statements;
  };
}
