import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { chainTransformMaps, COMPACTED_BY, compactScript, precompressAsset, type SourceMapMode } from './build-passes';
import { solidPlugin } from './solid-plugin';

export interface BuildClientOptions {
  /** @default ['client/app/main.tsx'] */
  entrypoints?: string[];
  /** @default 'dist/client' */
  outdir?: string;
  /** @default NODE_ENV === 'production' */
  minify?: boolean;
  /**
   * After Bun's minifier, a second pass of Terser's compressor and mangler
   * over each script (see {@link compactScript}); only with `minify`.
   * @default minify
   */
  compact?: boolean;
  /**
   * Write each script and stylesheet compressed beside it (`main.k2x8d1a9.js.br`,
   * `.gz`), which the app's server sends to browsers that accept them.
   * @default minify
   */
  precompress?: boolean;
  /**
   * Production builds (`minify`) publish no source maps unless asked
   * (`CLIENT_SOURCE_MAPS=1` for `bun run build`, `client.sourceMaps` for the
   * app's server). @default minify ? 'none' : 'linked'
   */
  sourcemap?: SourceMapMode;
  /**
   * Bun's module-preload runtime: the entry carries a table of every chunk
   * and its static imports, and each `import()` first adds a
   * `<link rel="modulepreload">` for those, so a lazily loaded page's
   * shared chunks download beside it rather than after it. It costs every
   * first visit about 0.8 KB gzipped (the example app's), so it is off: a
   * page's code starts loading when the mouse rests on a link to it
   * (`lazyPage`'s `preload`), which usually hides the extra round trip;
   * turn it on when pages are mostly reached otherwise (touch screens,
   * redirects).
   * @default false
   */
  modulePreload?: boolean;
  /** The page the bundle is injected into; `false` writes no index.html. @default 'client/index.html' */
  html?: string | false;
}

const ROOT = resolve(import.meta.dir, '..');
const ASSETS_DIR = 'assets';

/**
 * Bundles the Solid client with `Bun.build` (Solid's JSX compiled by Babel 7
 * through {@link solidPlugin}) into `outdir/assets/` with hashed names, and
 * writes `outdir/index.html` referencing the bundle. Returns the absolute
 * paths of every file written. Throws when the build fails.
 *
 * @example
 * const files = await buildClient({ outdir: 'dist/client', minify: true });
 * // ['/…/dist/client/assets/main.k2x8d1a9.js', …, '/…/dist/client/index.html']
 */
export async function buildClient(options: BuildClientOptions = {}): Promise<string[]> {
  const {
    entrypoints = [join(ROOT, 'client/app/main.tsx')],
    outdir = join(ROOT, 'dist/client'),
    minify = process.env.NODE_ENV === 'production',
    sourcemap = minify ? 'none' : 'linked',
    compact = minify,
    precompress = minify,
    modulePreload = false,
    html = join(ROOT, 'client/index.html'),
  } = options;
  const out = resolve(outdir);
  // Only the hashed assets are ours to sweep; whatever else lives in outdir stays.
  await rm(join(out, ASSETS_DIR), { recursive: true, force: true });
  await mkdir(out, { recursive: true });

  // Each .tsx's map from the Solid transform, which Bun does not chain into the bundle's own.
  const transformMaps = new Map<string, object>();
  const result = await Bun.build({
    entrypoints: entrypoints.map((entry) => resolve(entry)),
    outdir: out,
    target: 'browser',
    // Solid libraries publish their JSX source under the `solid` condition, compiled here by
    // the app's own Solid transform: one module per file, so only the router's parts in use
    // are bundled (its prebuilt `index.js` is one module, kept whole).
    conditions: ['solid'],
    format: 'esm',
    splitting: true,
    modulePreload,
    minify,
    sourcemap,
    publicPath: '/',
    naming: {
      entry: `${ASSETS_DIR}/[name].[hash].[ext]`,
      chunk: `${ASSETS_DIR}/[name].[hash].[ext]`,
      asset: `${ASSETS_DIR}/[name].[hash].[ext]`,
    },
    define: { 'process.env.NODE_ENV': JSON.stringify(minify ? 'production' : 'development') },
    // Bun hashes what it writes; the second pass changes the bytes, so its version and options
    // go into what is hashed (Terser then drops the comment): new pass, new names.
    ...(minify && compact ? { footer: COMPACTED_BY } : {}),
    plugins: [solidPlugin({ sourceMaps: sourcemap !== 'none', onSourceMap: (path, map) => transformMaps.set(path, map) })],
    throw: false,
  });
  if (!result.success) {
    throw new AggregateError(result.logs, `Client build failed:\n${result.logs.map(String).join('\n')}`);
  }

  const files = result.outputs.map((output) => output.path);
  const scripts = files.filter((path) => path.endsWith('.js'));
  if (sourcemap !== 'none') await Promise.all(scripts.map((path) => chainTransformMaps(path, out, sourcemap, transformMaps)));
  if (minify && compact) await Promise.all(scripts.map((path) => compactScript(path, sourcemap)));
  if (precompress) {
    const assets = files.filter((path) => /\.(js|css)$/.test(path));
    files.push(...(await Promise.all(assets.map(precompressAsset))).flat());
  }
  if (html !== false) {
    const publicUrl = (path: string) => `/${relative(out, path).split('\\').join('/')}`;
    const entries = result.outputs.filter((o) => o.kind === 'entry-point' && o.path.endsWith('.js')).map((o) => publicUrl(o.path));
    const styles = result.outputs.filter((o) => o.path.endsWith('.css')).map((o) => publicUrl(o.path));
    const page = injectAssets(await Bun.file(html).text(), entries, styles);
    const indexPath = join(out, 'index.html');
    await Bun.write(indexPath, page);
    files.push(indexPath);
  }
  return files;
}

/** Adds the stylesheet links and module scripts before `</head>`. */
export function injectAssets(page: string, scripts: readonly string[], styles: readonly string[]): string {
  const tags = [
    ...styles.map((href) => `<link rel="stylesheet" href="${escapeAttribute(href)}" />`),
    ...scripts.map((src) => `<script type="module" src="${escapeAttribute(src)}"></script>`),
  ];
  const head = /([ \t]*)<\/head>/i;
  if (!head.test(page)) throw new Error('The HTML template has no </head>');
  return page.replace(head, (_, indent: string) => `${tags.map((tag) => `${indent}  ${tag}\n`).join('')}${indent}</head>`);
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

if (import.meta.main) {
  const started = performance.now();
  const files = await buildClient(/^(1|true|yes|on)$/i.test(process.env.CLIENT_SOURCE_MAPS ?? '') ? { sourcemap: 'linked' } : {});
  const took = Math.round(performance.now() - started);
  console.log(`Built ${files.length} files in ${took} ms:\n${files.map((file) => `  ${relative(ROOT, file)}`).join('\n')}`);
}
