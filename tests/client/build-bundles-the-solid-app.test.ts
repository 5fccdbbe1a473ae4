import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { originalPositionFor, sourceContentFor, TraceMap } from '@jridgewell/trace-mapping';
import { type BundleSizes, measureClientBundle } from '../../bench/lib/client-bundle';
import { ACCOUNT_EN } from '../../client/auth/account-messages';
import { AUTH_EN } from '../../client/auth/messages';
import { buildClient, injectAssets } from '../../client/build';
import { EN_SERVER_TEXTS } from '../../server/i18n/catalog-en';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'statehouse-build-'));
  dirs.push(dir);
  return dir;
}

let sharedBuild: Promise<{ outdir: string; bundle: BundleSizes; first: string; later: string }> | null = null;

/** One production build of the example app for the tests that only read it: its sizes, and the scripts a first visit loads and those it leaves. */
function productionBuild() {
  sharedBuild ??= (async () => {
    const outdir = tempDir();
    await buildClient({ outdir, minify: true });
    const bundle = await measureClientBundle(outdir);
    const code = async (shell: boolean) =>
      (
        await Promise.all(
          bundle.files.filter((f) => f.shell === shell && f.kind === 'js').map((f) => Bun.file(join(outdir, f.path)).text()),
        )
      ).join('\n');
    return { outdir, bundle, first: await code(true), later: await code(false) };
  })();
  return sharedBuild;
}

describe('buildClient', () => {
  test('bundles the app into hashed assets and an index.html that loads them', async () => {
    const outdir = tempDir();
    const files = await buildClient({ outdir, minify: true, sourcemap: 'none' });
    const names = files.map((file) => relative(outdir, file));
    expect(names).toContain('index.html');
    const html = await Bun.file(join(outdir, 'index.html')).text();
    // The entry; the chunks it shares with lazily loaded pages are named after it too.
    const script = /<script type="module" src="\/(assets\/main\.[0-9a-z]{8,}\.js)"><\/script>/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(names).toContain(script!);
    expect(html).toContain('<div id="root"></div>');

    const code = await Bun.file(join(outdir, script ?? '')).text();
    // Solid's compiled templates, not a React-style JSX runtime.
    expect(code).toContain('statehouse-toast');
    expect(code).not.toMatch(/\bjsxDEV\(|react\/jsx/);
    // Minified: long lines (the few line breaks left are inside template strings).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
  });

  test('a production build leaves the signed-in pages, the dashboard, Confirm it’s you, the two-factor step, the Arabic texts, the admin and the passkey library to chunks fetched on first use', async () => {
    const { outdir, bundle, first, later } = await productionBuild();
    // Bun's module-preload runtime (its chunk table and link-adding helper) stays out: pages preload on hover.
    expect(first).not.toContain('modulepreload');
    // The login page (with its passkey button), its English texts and the toasts come with the page…
    for (const marker of ['sh-passkey-sign-in', 'Forgot your password?', 'statehouse-toast']) expect(first).toContain(marker);
    // …Settings (its passkey list), the dashboard, the dialog's form, the Arabic texts, the admin
    // console (its route table too) and the WebAuthn library only when first needed.
    const onFirstUse = [
      'sh-passkey-list',
      'dashboard-title',
      'sh-confirm-identity-title',
      'sh-two-factor-code',
      'هل نسيت كلمة المرور؟',
      'admin-nav',
      '/groups/:id',
      'Registration ceremony was sent an abort signal',
    ];
    for (const marker of onFirstUse) {
      expect(first).not.toContain(marker);
      expect(later).toContain(marker);
    }
    // The admin console's Arabic texts are a chunk of their own, not part of the console's.
    const lazyFiles = await Promise.all(
      bundle.files.filter((f) => !f.shell && f.kind === 'js').map((f) => Bun.file(join(outdir, f.path)).text()),
    );
    const adminArabic = 'حذف المستخدم';
    const adminChunks = lazyFiles.filter((text) => text.includes('admin-nav'));
    expect(adminChunks.length).toBeGreaterThan(0);
    for (const text of adminChunks) expect(text).not.toContain(adminArabic);
    expect(lazyFiles.some((text) => text.includes(adminArabic))).toBe(true);
    expect(bundle.lazyJsGzipBytes).toBeGreaterThan(0);
  });

  test('a first visit downloads only the texts its pages show: the account pages’ come with their chunks, the server’s own never', async () => {
    const { first, later } = await productionBuild();
    // A text as a string literal of the code, whichever quotes the minifier chose.
    const holds = (code: string, text: string) => ['"', "'", '`'].some((quote) => code.includes(`${quote}${text}${quote}`));
    const accountTexts = Object.entries(ACCOUNT_EN)
      .filter(([key]) => !Object.hasOwn(AUTH_EN, key))
      .map(([, text]) => text);
    expect(accountTexts.length).toBeGreaterThan(40);
    // Short ones ("Rename", "Done") could be any code's string; the longer ones say where the catalog went.
    expect(accountTexts.filter((text) => text.length > 12 && holds(first, text))).toEqual([]);
    expect(accountTexts.filter((text) => !holds(later, text))).toEqual([]);
    // (A page may word something the server words too: those are the page's.)
    const serverTexts = Object.values(EN_SERVER_TEXTS).filter((text) => !Object.values(ACCOUNT_EN).includes(text));
    expect(serverTexts.length).toBeGreaterThan(15);
    expect(serverTexts.filter((text) => holds(first + later, text))).toEqual([]);
    // The first visit's own texts are there.
    expect(Object.values(AUTH_EN).filter((text) => !holds(first, text))).toEqual([]);
  });

  test('a production build writes no source maps unless asked; a development build links them', async () => {
    const mapsOf = (files: string[]) => files.filter((file) => file.endsWith('.map'));
    const production = tempDir();
    const plain = await buildClient({ outdir: production, minify: true });
    expect(mapsOf(plain)).toEqual([]);
    for (const file of plain.filter((f) => f.endsWith('.js'))) expect(await Bun.file(file).text()).not.toContain('sourceMappingURL');

    const asked = await buildClient({ outdir: tempDir(), minify: true, sourcemap: 'linked' });
    expect(mapsOf(asked).length).toBeGreaterThan(0);
    const development = await buildClient({ outdir: tempDir(), minify: false });
    expect(mapsOf(development).length).toBeGreaterThan(0);
  });

  test('a production build compacts what Bun minified, under names of their own', async () => {
    const [bunOnly, compacted] = [tempDir(), tempDir()];
    await buildClient({ outdir: bunOnly, minify: true, compact: false, precompress: false });
    await buildClient({ outdir: compacted, minify: true, precompress: false });
    const [before, after] = [await measureClientBundle(bunOnly), await measureClientBundle(compacted)];
    expect(after.shellJsBytes).toBeLessThan(before.shellJsBytes);
    expect(after.shellJsGzipBytes).toBeLessThan(before.shellJsGzipBytes);
    // The second pass changes the bytes, so it changes the names: a cached old file is never taken for the new one.
    const scripts = (sizes: typeof before) => new Set(sizes.files.filter((f) => f.kind === 'js').map((f) => f.path));
    expect([...scripts(after)].filter((path) => scripts(before).has(path))).toEqual([]);
  });

  /** Where a string of client/auth/language-picker.tsx, found in the build's entry, comes from according to `map`. */
  function originOf(script: string, map: TraceMap, literal: string) {
    const at = script.indexOf(literal);
    expect(at).toBeGreaterThan(0);
    const before = script.slice(0, at).split('\n');
    const { source, line } = originalPositionFor(map, { line: before.length, column: before.at(-1)!.length });
    return { source, line, text: source ? sourceContentFor(map, source)?.split('\n')[line! - 1] : undefined };
  }

  async function entryOf(outdir: string): Promise<{ path: string; script: string }> {
    const bundle = await measureClientBundle(outdir);
    const entry = bundle.files.find((f) => f.shell && f.kind === 'js' && f.bytes === Math.max(...bundle.files.map((g) => g.bytes)))!;
    return { path: entry.path, script: await Bun.file(join(outdir, entry.path)).text() };
  }

  /** The line of client/auth/language-picker.tsx, as written, that holds `literal`. */
  async function lineInPicker(literal: string): Promise<{ line: number; text: string }> {
    const lines = (await Bun.file(join(import.meta.dir, '../../client/auth/language-picker.tsx')).text()).split('\n');
    const index = lines.findIndex((text) => text.includes(literal));
    expect(index).toBeGreaterThanOrEqual(0);
    return { line: index + 1, text: lines[index]! };
  }

  test.each([
    ['linked', true],
    ['external', true],
    ['inline', true],
    ['linked', false],
  ] as const)(
    'a %s source map (minified: %p) leads a position of the bundle to its line in the .tsx as written',
    async (sourcemap, minify) => {
      const literal = 'statehouse: could not change the language';
      const outdir = tempDir();
      await buildClient({ outdir, minify, sourcemap, precompress: false });
      const { path, script } = await entryOf(outdir);
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(script)?.[1];
      let raw: string;
      if (sourcemap === 'inline') {
        expect(url).toStartWith('data:application/json;base64,');
        raw = Buffer.from(url!.slice(url!.indexOf(',') + 1), 'base64').toString();
      } else {
        // Linked: named in the script as Bun names it; external: on disk beside it, not named.
        expect(url).toBe(sourcemap === 'linked' ? `${path}.map` : undefined);
        raw = await Bun.file(join(outdir, `${path}.map`)).text();
      }
      // Past Bun's map (which ends at the Solid transform's output) and Terser's pass: the file as written.
      const origin = originOf(script, new TraceMap(raw), literal);
      expect(origin.source).toEndWith('client/auth/language-picker.tsx');
      expect({ line: origin.line, text: origin.text }).toEqual(await lineInPicker(literal));
      // Bun's debug id stays in the script and in its map.
      const debugId = /\/\/# debugId=(\S+)/.exec(script)?.[1];
      expect(debugId).toBeDefined();
      expect((JSON.parse(raw) as { debugId?: string }).debugId).toBe(debugId);
    },
  );

  test('a production build writes each script and stylesheet precompressed beside it; a development build does not', async () => {
    const outdir = tempDir();
    const files = await buildClient({ outdir, minify: true });
    const assets = files.filter((file) => /\.(js|css)$/.test(file));
    expect(assets.some((file) => file.endsWith('.css'))).toBe(true);
    for (const file of assets) {
      const original = Buffer.from(await Bun.file(file).arrayBuffer());
      expect(files).toContain(`${file}.br`);
      expect(files).toContain(`${file}.gz`);
      expect(brotliDecompressSync(Buffer.from(await Bun.file(`${file}.br`).arrayBuffer()))).toEqual(original);
      expect(gunzipSync(Buffer.from(await Bun.file(`${file}.gz`).arrayBuffer()))).toEqual(original);
    }
    const development = await buildClient({ outdir: tempDir(), minify: false });
    expect(development.filter((file) => /\.(br|gz)$/.test(file))).toEqual([]);
  });

  test('a second build sweeps the assets of the first', async () => {
    const outdir = tempDir();
    await Bun.write(join(outdir, 'assets', 'main.stale0000.js'), '// old');
    await Bun.write(join(outdir, 'robots.txt'), 'User-agent: *');
    await buildClient({ outdir, minify: false, sourcemap: 'none' });
    expect(await Bun.file(join(outdir, 'assets', 'main.stale0000.js')).exists()).toBe(false);
    expect(await Bun.file(join(outdir, 'robots.txt')).exists()).toBe(true);
  });

  test('a broken entry fails the build with the bundler messages', async () => {
    const dir = tempDir();
    const entry = join(dir, 'broken.tsx');
    await Bun.write(entry, "import { nothing } from './missing';\nexport const x = <p>{nothing}</p>;\n");
    await expect(buildClient({ entrypoints: [entry], outdir: join(dir, 'out'), html: false })).rejects.toThrow(/build failed/i);
  });
});

describe('injectAssets', () => {
  test('adds stylesheets then module scripts before </head>, escaping attributes', () => {
    const page = '<html>\n  <head>\n    <title>x</title>\n  </head>\n</html>';
    expect(injectAssets(page, ['/assets/a"b.js'], ['/assets/s.css'])).toBe(
      '<html>\n  <head>\n    <title>x</title>\n    <link rel="stylesheet" href="/assets/s.css" />\n' +
        '    <script type="module" src="/assets/a&quot;b.js"></script>\n  </head>\n</html>',
    );
  });

  test('refuses a template without </head>', () => {
    expect(() => injectAssets('<p>no head</p>', [], [])).toThrow(/<\/head>/);
  });
});
