import { describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// Through the package's own name, as an app would import it.
import { createStatehouse, guarded } from 'statehouse/server';
import { defineSlice, safeNextPath } from 'statehouse/shared';

const root = resolve(import.meta.dir, '../..');

describe("package.json exports: an app imports Statehouse by the package's name", () => {
  test.each([
    ['statehouse/server', 'server/index.ts'],
    ['statehouse/shared', 'server/shared.ts'],
    ['statehouse/client', 'client/state/index.ts'],
    ['statehouse/client/auth', 'client/auth/index.ts'],
    ['statehouse/client/admin', 'client/admin/index.ts'],
    ['statehouse/client/auth/auth-pages.css', 'client/auth/auth-pages.css'],
  ])('%s resolves to %s', (specifier, file) => {
    expect(import.meta.resolve(specifier)).toBe(pathToFileURL(resolve(root, file)).href);
  });

  test('the server and shared entries load, with their exports', () => {
    expect(typeof createStatehouse).toBe('function');
    expect(typeof guarded).toBe('function');
    expect(defineSlice('probe', { n: 1 }).initial).toEqual({ n: 1 });
    expect(safeNextPath('//evil.example')).toBeNull();
  });

  test('deep paths are not part of the package', () => {
    expect(() => import.meta.resolve('statehouse/server/bridge/event')).toThrow();
  });
});
