import { describe, expect, test } from 'bun:test';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dir, '../..');
const biome = join(root, 'node_modules/.bin/biome');

/** Runs only the import-boundary rule of biome.json over `paths` (relative to `cwd`). */
function lintImports(cwd: string, paths: string[] = []) {
  const run = Bun.spawnSync([biome, 'lint', '--only=style/noRestrictedImports', '--vcs-enabled=false', '--max-diagnostics=50', ...paths], {
    cwd,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  return { code: run.exitCode, output: run.stdout.toString() + run.stderr.toString() };
}

describe('imports follow the layers (biome.json noRestrictedImports)', () => {
  test('the repository obeys them', () => {
    const { code, output } = lintImports(root, ['server', 'client', 'db']);
    expect(output).not.toContain('noRestrictedImports');
    expect(code).toBe(0);
  });

  test.each([
    ['server/auth/x.ts', "import { StateEvent } from '../bridge/event';"],
    ['server/config.ts', "import type { EventContext } from './bridge/trpc';"],
    ['db/x.ts', "import { loadConfig } from '../server/config';"],
    ['server/bridge/x.ts', "import { identity } from '../http/identity';"],
    ['server/state/protocol.ts', "import type { Runtime } from '../runtime';"],
    ['server/app/x.ts', "import { publicProcedure } from '../bridge/bridge';"],
    ['client/state/x.ts', "import { openMigratedDatabase } from '../../server/index';"],
    ['client/app/x.tsx', "import { useAuth } from '../state/context';"],
  ])('%s may not `%s`', (path, line) => {
    const dir = mkdtempSync(join(tmpdir(), 'statehouse-layers-'));
    try {
      copyFileSync(join(root, 'biome.json'), join(dir, 'biome.json'));
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), `${line}\nexport {};\n`);
      const { output } = lintImports(dir, [relative(dir, join(dir, path))]);
      expect(output).toContain('noRestrictedImports');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Every file `entry` imports, transitively (type-only imports are erased, as in a bundle). */
function importGraph(entry: string): string[] {
  const transpiler = new Bun.Transpiler({ loader: 'tsx' });
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { path } of transpiler.scanImports(readFileSync(file, 'utf8'))) {
      if (path.startsWith('.') && !path.endsWith('.css')) visit(Bun.resolveSync(path, dirname(file)));
    }
  };
  visit(entry);
  return [...seen].map((file) => relative(root, file)).sort();
}

describe('the shared barrel is safe in the browser bundle', () => {
  test('server/shared.ts reaches only the wire contract, slices, redirects and the message catalog', () => {
    expect(importGraph(join(root, 'server/shared.ts'))).toEqual([
      'server/i18n/catalog.ts',
      'server/i18n/slice.ts',
      'server/shared.ts',
      'server/state/protocol.ts',
      'server/state/redirect.ts',
      'server/state/slices.ts',
    ]);
  });

  test('the client framework and the example pages reach no other server module', () => {
    const reached = new Set([...importGraph(join(root, 'client/app/main.tsx')), ...importGraph(join(root, 'client/auth/index.ts'))]);
    const server = [...reached].filter((file) => file.startsWith('server/') && !file.startsWith('server/app/'));
    expect(server.sort()).toEqual(importGraph(join(root, 'server/shared.ts')).filter((file) => reached.has(file)));
    // The app's own server files the pages reach: its slices (the router is a type).
    expect([...reached].filter((file) => file.startsWith('server/app/'))).toEqual(['server/app/slices.ts']);
  });
});
