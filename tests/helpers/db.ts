import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMigratedDatabase, type Database, type DatabaseHandle, type OpenOptions } from '../../db/client';
import type { UserRow } from '../../db/schema';
import type { PasswordHashing } from '../../server/auth/password';
import type { PasswordRules } from '../../server/auth/password-validation';
import { createUser, type NewUser } from '../../server/auth/users';

/** A migrated database in its own temp directory, removed by `cleanup()`. */
export interface TestDatabase extends DatabaseHandle {
  /** The temp directory holding the database file. */
  dir: string;
  /** The database file's path. */
  path: string;
  /** Closes the client and deletes the temp directory. Safe to call twice. */
  cleanup(): void;
}

/**
 * The configured defaults (OWASP's argon2id minimum). Tests never go below
 * them; they keep the number of hashes small instead.
 */
export const TEST_HASHING: PasswordHashing = { memoryCost: 19_456, timeCost: 2 };

/** The default password rules from config. */
export const TEST_RULES: PasswordRules = { minLength: 8, maxLength: 256 };

/** Makes an empty temp directory; the caller removes it. */
export function createTempDir(prefix = 'statehouse-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Opens a fresh, migrated libSQL file database in a new temp directory.
 *
 * @example
 * let t: TestDatabase;
 * beforeEach(async () => { t = await createTestDatabase(); });
 * afterEach(() => t.cleanup());
 */
export async function createTestDatabase(options: OpenOptions = {}): Promise<TestDatabase> {
  const dir = createTempDir();
  const path = join(dir, 'test.db');
  const handle = await openMigratedDatabase(`file:${path}`, undefined, options);
  let closed = false;
  return {
    ...handle,
    dir,
    path,
    cleanup(): void {
      if (!closed) handle.close();
      closed = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates a user through the real `createUser` (validators, argon2id at the
 * test cost); throws with the field errors if it is refused.
 *
 * @example
 * const alice = await createTestUser(server.db.db, { username: 'alice', password: 'correct horse battery' });
 */
export async function createTestUser(db: Database, input: NewUser): Promise<UserRow> {
  const created = await createUser(db, input, { hashing: TEST_HASHING, rules: TEST_RULES });
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  return created.value;
}
