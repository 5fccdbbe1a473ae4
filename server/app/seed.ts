/**
 * `bun run db:seed`: demo users for the example app, in DATABASE_URL.
 * Safe to run again: existing users are left alone.
 */
import {
  createUser,
  ensurePermission,
  findUserByUsername,
  grantUserPermission,
  hashingParams,
  loadConfig,
  openMigratedDatabase,
  type Database,
  type StatehouseConfig,
} from '../index';

/** Permissions the example app checks. */
export const DEMO_PERMISSIONS = ['notes.delete_note', 'notes.view_note'] as const;

interface DemoUser {
  username: string;
  email: string;
  password: string;
  isStaff: boolean;
  grants: readonly string[];
}

/** Demo accounts: the passwords are public, so never seed a real deployment. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'alice', email: 'alice@example.com', password: 'alice-demo-pass', isStaff: true, grants: ['notes.delete_note'] },
  { username: 'bob', email: 'bob@example.com', password: 'bob-demo-pass', isStaff: false, grants: [] },
];

/**
 * Ensures the demo permissions and users exist; reports each step through `out`.
 * Returns the usernames created this run.
 *
 * @example
 * const created = await seedDemoData(db, loadConfig(), console.log);
 */
export async function seedDemoData(db: Database, config: StatehouseConfig, out: (line: string) => void): Promise<string[]> {
  for (const perm of DEMO_PERMISSIONS) await ensurePermission(db, perm);
  out(`Permissions: ${DEMO_PERMISSIONS.join(', ')}`);
  const created: string[] = [];
  for (const demo of DEMO_USERS) {
    if (await findUserByUsername(db, demo.username)) {
      out(`User "${demo.username}" already exists; skipped.`);
      continue;
    }
    const result = await createUser(
      db,
      { username: demo.username, email: demo.email, password: demo.password, isStaff: demo.isStaff, emailVerified: true },
      { hashing: hashingParams(config), rules: config.password },
    );
    if (!result.ok) throw new Error(`Cannot seed "${demo.username}": ${result.errors.map((e) => e.message).join(' ')}`);
    for (const perm of demo.grants) await grantUserPermission(db, result.value.id, perm);
    const traits = [demo.isStaff ? 'staff' : 'plain user', ...demo.grants].join(', ');
    out(`Created "${demo.username}" with password "${demo.password}" (${traits}).`);
    created.push(demo.username);
  }
  return created;
}

if (import.meta.main) {
  const config = loadConfig();
  const handle = await openMigratedDatabase(config.databaseUrl, config.databaseAuthToken);
  try {
    await seedDemoData(handle.db, config, (line) => console.log(line));
  } finally {
    handle.close();
  }
}
