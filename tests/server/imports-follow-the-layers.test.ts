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
      'server/i18n/catalog-ar.ts',
      'server/i18n/catalog-en-account.ts',
      'server/i18n/catalog-en-browser.ts',
      'server/i18n/catalog-en.ts',
      'server/i18n/catalog.ts',
      'server/i18n/negotiate.ts',
      'server/i18n/overrides.ts',
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

/**
 * The layers again, by where each import resolves rather than how it is
 * spelt: a lint pattern can be dodged (`'..'`, `'./../x'`, a `.ts` ending,
 * the package's own name `statehouse/server`); a resolved path cannot. Type
 * imports count too: they tie a layer to another just the same.
 */
const LAYERS: [rank: number, name: string, test: (file: string) => boolean][] = [
  [0, 'db', (f) => f.startsWith('db/')],
  [
    1,
    'auth',
    (f) => f.startsWith('server/auth/') || f.startsWith('server/mail/') || /^server\/(config|log|errors|request|background)\.ts$/.test(f),
  ],
  [
    2,
    'bridge',
    (f) => /^server\/(bridge|state|routers|bus|i18n|context|crud)\//.test(f) || f === 'server/runtime.ts' || f === 'server/shared.ts',
  ],
  [3, 'http', (f) => f.startsWith('server/http/')],
  [4, 'composition', (f) => f === 'server/index.ts' || f.startsWith('server/cli/')],
];
/** The client framework (client/state, client/auth, the build): of the server it may reach the shared contract only. */
const CLIENT_FRAMEWORK = (f: string) => f.startsWith('client/') && !f.startsWith('client/app/');
const APP = (f: string) => f.startsWith('server/app/') || f === 'server/main.ts' || f.startsWith('client/app/');
const BARRELS = new Set([
  'server/index.ts',
  'server/shared.ts',
  'client/state/index.ts',
  'client/auth/index.ts',
  'client/auth/auth-pages.css',
  'client/admin/index.ts',
]);
/** Files the shared barrel re-exports: every layer, and the browser, may import them. */
const SHARED = new Set(importGraph(join(root, 'server/shared.ts')));
/** Deliberate exceptions, each with its reason where it stands. */
const ALLOWED = new Set([
  // A type-only import of the built-in router's type, erased from the browser bundle (see the file).
  'client/auth/auth-client.ts -> server/index.ts',
  // The example entry builds the client it serves.
  'server/main.ts -> client/build.ts',
]);

function rankOf(file: string): number | null {
  return LAYERS.find(([, , test]) => test(file))?.[0] ?? null;
}

/** Every module specifier in a source file, type-only imports and `import()` included. */
function specifiersOf(source: string): string[] {
  const found: string[] = [];
  // Comments (doc examples) are not imports.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const match of code.matchAll(
    /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm,
  )) {
    found.push((match[1] ?? match[2] ?? match[3])!);
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  const glob = new Bun.Glob('**/*.{ts,tsx}');
  return [...glob.scanSync({ cwd: join(root, dir) })].map((file) => `${dir}/${file}`);
}

describe('imports follow the layers, by where they resolve', () => {
  test('no import, however spelt, reaches a higher layer; the app and the browser code go through the barrels', () => {
    const problems: string[] = [];
    for (const file of [...sourceFiles('server'), ...sourceFiles('client'), ...sourceFiles('db')]) {
      for (const specifier of specifiersOf(readFileSync(join(root, file), 'utf8'))) {
        const local = specifier.startsWith('.') || specifier.startsWith('statehouse/') || specifier === 'statehouse';
        if (!local) continue;
        const target = relative(root, Bun.resolveSync(specifier, dirname(join(root, file))));
        if (target === file || ALLOWED.has(`${file} -> ${target}`)) continue;
        if (APP(file)) {
          // Its own files, the framework's barrels, and the database schema (its tables live there too).
          if (!APP(target) && !BARRELS.has(target) && !target.startsWith('db/schema/')) {
            problems.push(`${file} imports ${target} (${specifier}): the app uses the public barrels only`);
          }
          continue;
        }
        if (CLIENT_FRAMEWORK(file)) {
          if (!target.startsWith('client/') && !SHARED.has(target))
            problems.push(`${file} imports ${target} (${specifier}): browser code reaches only the shared contract`);
          continue;
        }
        if (APP(target) || (target.startsWith('client/') && !SHARED.has(target))) {
          problems.push(`${file} imports ${target} (${specifier}): the framework never imports the app or the client`);
          continue;
        }
        const from = rankOf(file);
        const to = SHARED.has(target) ? 0 : rankOf(target);
        if (from !== null && to !== null && to > from) problems.push(`${file} imports ${target} (${specifier}): a higher layer`);
      }
    }
    expect(problems).toEqual([]);
  });

  test.each([
    ["import { createStatehouse } from '..';", 'server/auth'],
    ["import type { Runtime } from '../runtime.ts';", 'server/auth'],
    ["import { createStatehouse } from 'statehouse/server';", 'db'],
    ["import { identity } from './../http/identity';", 'server/bridge'],
  ])('it would catch `%s` in %s', (line, dir) => {
    const [specifier] = specifiersOf(line);
    const target = relative(root, Bun.resolveSync(specifier!, join(root, dir)));
    const from = rankOf(`${dir}/x.ts`)!;
    expect(rankOf(target)!).toBeGreaterThan(from);
  });
});

describe('framework modules import no cycle', () => {
  test('no chain of imports in server/ comes back to where it started', () => {
    const transpiler = new Bun.Transpiler({ loader: 'tsx' });
    const edges = new Map<string, string[]>();
    for (const file of sourceFiles('server')) {
      const targets: string[] = [];
      for (const { path } of transpiler.scanImports(readFileSync(join(root, file), 'utf8'))) {
        if (path.startsWith('.')) targets.push(relative(root, Bun.resolveSync(path, dirname(join(root, file)))));
      }
      edges.set(file, targets);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      state.set(file, 'open');
      path.push(file);
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else if (!state.has(next) && edges.has(next)) visit(next);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of edges.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });
});
