import { afterAll, describe, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { redactUrl } from '../../../server/log';
import { createTempDir } from '../../helpers/db';

describe('redactUrl', () => {
  test.each([
    ['libsql://db-user.turso.io?authToken=eyJhbGciOi.secret', 'libsql://db-user.turso.io?authToken=[redacted]'],
    [
      'https://admin:hunter2@db.example:8080/x?tls=1&auth_token=abc&x=1',
      'https://[redacted]@db.example:8080/x?tls=1&auth_token=[redacted]&x=1',
    ],
    ['http://token@db.example', 'http://[redacted]@db.example'],
    [
      'libsql://db.example?tls=0&apiKey=k&password=p&secret=s&sig=q',
      'libsql://db.example?tls=0&apiKey=[redacted]&password=[redacted]&secret=[redacted]&sig=[redacted]',
    ],
    ['file:data/statehouse.db', 'file:data/statehouse.db'],
    [':memory:', ':memory:'],
    ['file:/tmp/a.db?authToken=x#frag', 'file:/tmp/a.db?authToken=[redacted]#frag'],
  ])('%s → %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

describe('the start-up output', () => {
  const dir = createTempDir('statehouse-url-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('of db:migrate names the database without its token', async () => {
    const url = `file:${join(dir, 'app.db')}?authToken=sekrit-database-token`;
    const child = Bun.spawn(['bun', 'server/cli/migrate.ts'], {
      cwd: resolve(import.meta.dir, '../../..'),
      env: { ...process.env, DATABASE_URL: url, NODE_ENV: 'test' },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    expect(`${out}${err}`).not.toContain('sekrit');
    expect(out).toContain(`Migrated file:${join(dir, 'app.db')}?authToken=[redacted]`);
    expect(code).toBe(0);
  });
});
