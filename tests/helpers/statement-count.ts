import type { Database } from '../../db/client';

/**
 * How many statements matching `pattern` the database ran while `run` ran
 * (`/from "sessions"/i`: session reads). Counts at the libSQL client, so
 * prepared and ad hoc statements alike.
 *
 * @example
 * const reads = await statementsDuring(runtime.db, /from "sessions"/i, () => ws.ok('query', 'probe.whoami'));
 */
export async function statementsDuring(db: Database, pattern: RegExp, run: () => Promise<void>): Promise<number> {
  const client = db.$client;
  const execute = client.execute.bind(client);
  let count = 0;
  client.execute = ((statement: string | { sql: string }) => {
    const sql = typeof statement === 'string' ? statement : statement.sql;
    if (pattern.test(sql)) count++;
    return execute(statement);
  }) as typeof client.execute;
  try {
    await run();
  } finally {
    client.execute = execute;
  }
  return count;
}
