import { afterAll, expect, test } from 'bun:test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { measureClientBundle } from '../../bench/lib/client-bundle';
import { createTempDir } from '../helpers/db';

const dir = createTempDir('statehouse-bundle-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a first visit loads what index.html references and what that imports statically; import() waits', async () => {
  mkdirSync(join(dir, 'assets'));
  const files: Record<string, string> = {
    // Minified ESM as Bun writes it: a static import, a re-export, and dynamic imports.
    'main.aaaaaaaa.js': 'import{a as x}from"./main.bbbbbbbb.js";export*from"./main.cccccccc.js";x(()=>import("./page.dddddddd.js"));',
    'main.bbbbbbbb.js': 'import"./main.eeeeeeee.js";export const a=(f)=>f();',
    'main.cccccccc.js': 'export const c=1;',
    'main.eeeeeeee.js': 'globalThis.e=1;',
    'page.dddddddd.js': 'import{a}from"./main.bbbbbbbb.js";export const P=()=>import("./lib.ffffffff.js");',
    'lib.ffffffff.js': `export const lib="${'z'.repeat(500)}";`,
    'main.gggggggg.css': 'body{margin:0}',
  };
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, 'assets', name), body);
  writeFileSync(
    join(dir, 'index.html'),
    '<html><head><link rel="stylesheet" href="/assets/main.gggggggg.css" /><script type="module" src="/assets/main.aaaaaaaa.js"></script></head></html>',
  );

  const sizes = await measureClientBundle(dir);
  const shell = sizes.files.filter((f) => f.shell).map((f) => f.path.replace('/assets/', ''));
  const later = sizes.files.filter((f) => !f.shell).map((f) => f.path.replace('/assets/', ''));
  expect(shell.sort()).toEqual(['main.aaaaaaaa.js', 'main.bbbbbbbb.js', 'main.cccccccc.js', 'main.eeeeeeee.js', 'main.gggggggg.css']);
  expect(later.sort()).toEqual(['lib.ffffffff.js', 'page.dddddddd.js']);

  const gz = (name: string) => gzipSync(Buffer.from(files[name]!), { level: 9 }).length;
  expect(sizes.shellJsGzipBytes).toBe(gz('main.aaaaaaaa.js') + gz('main.bbbbbbbb.js') + gz('main.cccccccc.js') + gz('main.eeeeeeee.js'));
  expect(sizes.lazyJsGzipBytes).toBe(gz('lib.ffffffff.js') + gz('page.dddddddd.js'));
  const br = (name: string) => brotliCompressSync(Buffer.from(files[name]!), { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
  expect(sizes.shellJsBrotliBytes).toBe(br('main.aaaaaaaa.js') + br('main.bbbbbbbb.js') + br('main.cccccccc.js') + br('main.eeeeeeee.js'));
  expect(sizes.cssGzipBytes).toBe(gz('main.gggggggg.css'));
  expect(sizes.shellJsBytes).toBe(
    ['main.aaaaaaaa.js', 'main.bbbbbbbb.js', 'main.cccccccc.js', 'main.eeeeeeee.js'].reduce((n, f) => n + files[f]!.length, 0),
  );
});
