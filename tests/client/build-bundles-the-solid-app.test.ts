import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { buildClient, injectAssets } from '../../client/build';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'statehouse-build-'));
  dirs.push(dir);
  return dir;
}

describe('buildClient', () => {
  test('bundles the app into hashed assets and an index.html that loads them', async () => {
    const outdir = tempDir();
    const files = await buildClient({ outdir, minify: true, sourcemap: 'none' });
    const names = files.map((file) => relative(outdir, file));
    expect(names).toContain('index.html');
    const script = names.find((name) => /^assets\/main\.[0-9a-z]{8,}\.js$/.test(name));
    expect(script).toBeDefined();

    const html = await Bun.file(join(outdir, 'index.html')).text();
    expect(html).toContain(`<script type="module" src="/${script}"></script>`);
    expect(html).toContain('<div id="root"></div>');

    const code = await Bun.file(join(outdir, script ?? '')).text();
    // Solid's compiled templates, not a React-style JSX runtime.
    expect(code).toContain('statehouse-toast');
    expect(code).not.toMatch(/\bjsxDEV\(|react\/jsx/);
    // Minified: long lines (the few line breaks left are inside template strings).
    expect(code.length / code.split('\n').length).toBeGreaterThan(2000);
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
