import { afterEach, describe, expect, test } from 'bun:test';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { createTempDir } from '../helpers/db';

/**
 * `patches/@libsql%2Fclient@0.18.0.patch` caches prepared statements per
 * connection. These run real queries on a real file and show the cache
 * changes no answer.
 */
let client: Client | null = null;
let dir: string | null = null;

async function open(): Promise<Client> {
  dir = createTempDir('statehouse-stmt-cache-');
  client = createClient({ url: `file:${join(dir, 'cache.db')}` });
  await client.execute('create table t (id integer primary key, name text not null)');
  for (let i = 1; i <= 5; i++) await client.execute({ sql: 'insert into t (id, name) values (?, ?)', args: [i, `n${i}`] });
  return client;
}

afterEach(() => {
  client?.close();
  client = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('the libsql statement cache', () => {
  test('is applied to both builds of the installed client', () => {
    const require = createRequire(import.meta.url);
    const cjs = require.resolve('@libsql/client/sqlite3');
    for (const file of [cjs, cjs.replace('/lib-cjs/', '/lib-esm/')]) {
      expect(readFileSync(file, 'utf8')).toContain('function preparedStmt(db, sql)');
    }
  });

  test('one statement run again and again answers each call with its own arguments', async () => {
    const db = await open();
    for (let round = 0; round < 3; round++) {
      for (let i = 1; i <= 5; i++) {
        const result = await db.execute({ sql: 'select id, name from t where id = ?', args: [i] });
        expect(result.rows.map((row) => [row.id, row.name])).toEqual([[i, `n${i}`]]);
      }
    }
    expect((await db.execute({ sql: 'select id from t where id = ?', args: [99] })).rows).toEqual([]);
  });

  test('a schema change is seen by the next select *, through execute and executeMultiple', async () => {
    const db = await open();
    expect((await db.execute('select * from t')).columns).toEqual(['id', 'name']);
    await db.execute('alter table t add column extra text');
    const widened = await db.execute('select * from t');
    expect(widened.columns).toEqual(['id', 'name', 'extra']);
    expect(widened.rows[0]!.name).toBe('n1');
    await db.executeMultiple("drop table t; create table t (k text primary key); insert into t values ('only');");
    const replaced = await db.execute('select * from t');
    expect(replaced.columns).toEqual(['k']);
    expect(replaced.rows.map((row) => row.k)).toEqual(['only']);
  });

  test('every result set has its own column lists', async () => {
    const db = await open();
    const first = await db.execute('select id, name from t');
    (first.columns as string[]).push('mangled');
    (first.columnTypes as string[]).length = 0;
    const second = await db.execute('select id, name from t');
    expect(second.columns).toEqual(['id', 'name']);
    expect(second.columnTypes).toHaveLength(2);
  });

  test('more distinct statements than the cache holds all still answer', async () => {
    const db = await open();
    for (let i = 0; i < 600; i++) {
      const result = await db.execute({ sql: `select ${i} as n, name from t where id = ?`, args: [1 + (i % 5)] });
      expect(result.rows[0]!.n).toBe(i);
    }
    expect((await db.execute('select 0 as n, name from t where id = 1')).rows[0]!.name).toBe('n1');
  });

  test('writes, a failed statement and a rolled back transaction leave later reads right', async () => {
    const db = await open();
    await expect(db.execute({ sql: 'insert into t (id, name) values (?, ?)', args: [1, 'dup'] })).rejects.toThrow();
    const tx = await db.transaction('write');
    await tx.execute({ sql: 'update t set name = ? where id = ?', args: ['changed', 2] });
    expect((await tx.execute({ sql: 'select name from t where id = ?', args: [2] })).rows[0]!.name).toBe('changed');
    await tx.rollback();
    expect((await db.execute({ sql: 'select name from t where id = ?', args: [2] })).rows[0]!.name).toBe('n2');
    await db.execute({ sql: 'update t set name = ? where id = ?', args: ['kept', 2] });
    expect((await db.execute({ sql: 'select name from t where id = ?', args: [2] })).rows[0]!.name).toBe('kept');
  });
});
