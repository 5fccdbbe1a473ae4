import { afterEach, beforeEach } from 'bun:test';
import { openDatabase } from '../../db/client';
import { createLibsqlSessionBackend } from '../../server/auth/libsql-session-backend';
import type { SessionBackend, SessionBackendName } from '../../server/auth/session-backend';
import { createTestDatabase, type TestDatabase } from './db';

/** Every session backend. */
export const SESSION_BACKEND_NAMES: readonly SessionBackendName[] = ['libsql'];

/** One test's session backend, on a fresh database. */
export interface SessionBackendFixture {
  readonly name: SessionBackendName;
  /** The test's database: users, tickets, reset links (and the libSQL backend's sessions). */
  readonly t: TestDatabase;
  readonly sessions: SessionBackend;
  /** A second backend on the same store, as another process opens it (closed after the test). */
  another(): Promise<SessionBackend>;
  /** Every key and value the backend stores, as text: libSQL's session and data rows. */
  storedText(): Promise<string[]>;
}

/**
 * Registers the hooks of a `describe` that runs against one session backend:
 * a fresh database per test. Read the fixture's fields inside tests.
 *
 * @example
 * describe.each(SESSION_BACKEND_NAMES)('%s backend', (name) => {
 *   const store = useSessionBackend(name);
 *   test('…', async () => { await createSession(store.sessions, SETTINGS, { userId: null }); });
 * });
 */
export function useSessionBackend(name: SessionBackendName): SessionBackendFixture {
  let t: TestDatabase | null = null;
  let sessions: SessionBackend | null = null;
  const opened: { close(): unknown }[] = [];

  beforeEach(async () => {
    t = await createTestDatabase();
    sessions = createLibsqlSessionBackend(t.db);
  });
  afterEach(async () => {
    for (const handle of opened.splice(0).reverse()) await handle.close();
    t?.cleanup();
  });

  return {
    name,
    get t() {
      return t!;
    },
    get sessions() {
      return sessions!;
    },
    async another() {
      const other = await openDatabase(t!.url);
      opened.push(other);
      return createLibsqlSessionBackend(other.db);
    },
    async storedText() {
      const rows = [
        ...(await t!.client.execute('SELECT * FROM sessions')).rows,
        ...(await t!.client.execute('SELECT * FROM session_data')).rows,
      ];
      return rows.flatMap((row) =>
        Object.values(row).map((value) => (value instanceof ArrayBuffer ? Buffer.from(value).toString('latin1') : String(value))),
      );
    },
  };
}
