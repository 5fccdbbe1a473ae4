import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { migrateDatabase, openDatabase, openMigratedDatabase } from '../../db/client';
import { createTempDir } from '../helpers/db';

const TABLES = [
  'auth_tokens',
  'group_permissions',
  'groups',
  'notes',
  'permissions',
  'session_data',
  'sessions',
  'user_groups',
  'user_permissions',
  'users',
];

let dir: string;

beforeEach(() => {
  dir = createTempDir('statehouse-migrate-');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('first start on an empty directory', () => {
  test('creates the parent folders and the database file', async () => {
    const path = join(dir, 'nested', 'deeper', 'app.db');
    const handle = await openMigratedDatabase(`file:${path}`);
    handle.close();
    expect(existsSync(path)).toBe(true);
  });

  test('creates every table', async () => {
    const handle = await openMigratedDatabase(`file:${join(dir, 'app.db')}`);
    try {
      const result = await handle.client.execute("SELECT name FROM sqlite_master WHERE type = 'table'");
      const names = result.rows.map((r) => String(r.name));
      for (const table of TABLES) expect(names).toContain(table);
    } finally {
      handle.close();
    }
  });

  test('turns on WAL mode and foreign keys', async () => {
    const handle = await openMigratedDatabase(`file:${join(dir, 'app.db')}`);
    try {
      const journal = await handle.client.execute('PRAGMA journal_mode');
      expect(String(journal.rows[0]?.[0]).toLowerCase()).toBe('wal');
      const foreignKeys = await handle.client.execute('PRAGMA foreign_keys');
      expect(Number(foreignKeys.rows[0]?.[0])).toBe(1);
    } finally {
      handle.close();
    }
  });

  test('enforces foreign keys: a session for a missing user is refused', async () => {
    const handle = await openMigratedDatabase(`file:${join(dir, 'app.db')}`);
    try {
      const insert = handle.client.execute({
        sql: `INSERT INTO sessions (id, secret_hash, user_id, created_at, last_verified_at, expires_at, absolute_expires_at)
              VALUES ('x', x'00', 999, 0, 0, 1, 1)`,
        args: [],
      });
      await expect(insert).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      handle.close();
    }
  });
});

describe('second start', () => {
  test('migrating again is a no-op that keeps the data', async () => {
    const url = `file:${join(dir, 'app.db')}`;
    const first = await openMigratedDatabase(url);
    await first.client.execute("INSERT INTO groups (name) VALUES ('editors')");
    const applied = await first.client.execute('SELECT COUNT(*) AS n FROM __drizzle_migrations');
    expect(Number(applied.rows[0]?.n)).toBeGreaterThanOrEqual(1);
    first.close();

    const second = await openDatabase(url);
    try {
      await migrateDatabase(second);
      await migrateDatabase(second);
      const again = await second.client.execute('SELECT COUNT(*) AS n FROM __drizzle_migrations');
      expect(Number(again.rows[0]?.n)).toBe(Number(applied.rows[0]?.n));
      const groups = await second.client.execute('SELECT name FROM groups');
      expect(groups.rows.map((r) => r.name)).toEqual(['editors']);
    } finally {
      second.close();
    }
  });
});

describe(':memory:', () => {
  test('an in-memory database migrates without touching the disk', async () => {
    const handle = await openMigratedDatabase(':memory:');
    try {
      const result = await handle.client.execute("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'users'");
      expect(Number(result.rows[0]?.n)).toBe(1);
    } finally {
      handle.close();
    }
  });
});
