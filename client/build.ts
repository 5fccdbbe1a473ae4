import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { minify as terser, type MinifyOptions } from 'terser';
import terserPackage from 'terser/package.json' with { type: 'json' };
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
  sourcemap?: 'none' | 'linked' | 'external' | 'inline';
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
    html = join(ROOT, 'client/index.html'),
  } = options;
  const out = resolve(outdir);
  // Only the hashed assets are ours to sweep; whatever else lives in outdir stays.
  await rm(join(out, ASSETS_DIR), { recursive: true, force: true });
  await mkdir(out, { recursive: true });

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
    plugins: [solidPlugin()],
    throw: false,
  });
  if (!result.success) {
    throw new AggregateError(result.logs, `Client build failed:\n${result.logs.map(String).join('\n')}`);
  }

  const files = result.outputs.map((output) => output.path);
  if (minify && compact) {
    const scripts = files.filter((path) => path.endsWith('.js'));
    await Promise.all(scripts.map((path) => compactScript(path, sourcemap)));
  }
  if (precompress) {
    const assets = files.filter((path) => /\.(js|css)$/.test(path));
    files.push(...(await Promise.all(assets.map(precompressAsset))).flat());
  }
  if (html !== false) {
    const publicUrl = (path: string) => `/${relative(out, path).split('\\').join('/')}`;
    const scripts = result.outputs.filter((o) => o.kind === 'entry-point' && o.path.endsWith('.js')).map((o) => publicUrl(o.path));
    const styles = result.outputs.filter((o) => o.path.endsWith('.css')).map((o) => publicUrl(o.path));
    const page = injectAssets(await Bun.file(html).text(), scripts, styles);
    const indexPath = join(out, 'index.html');
    await Bun.write(indexPath, page);
    files.push(indexPath);
  }
  return files;
}

/** Terser's settings for the second pass over each script. */
const TERSER_OPTIONS: MinifyOptions = { module: true, compress: { passes: 2 } };

/** A comment naming the second pass, in what Bun hashes (see `buildClient`). */
const COMPACTED_BY = `/* terser ${terserPackage.version} ${JSON.stringify(TERSER_OPTIONS)} */`;

/** The comments Bun ends a script with when it writes a source map: the map's URL last, its debug id before it. */
const SOURCE_MAP_URL_COMMENT = /\n?\/\/# sourceMappingURL=(\S+)\s*$/;
const DEBUG_ID_COMMENT = /\n?\/\/# debugId=(\S+)\s*$/;

/**
 * Rewrites a script Bun has minified with Terser's compressor and mangler.
 * Bun's minifier keeps what a second, slower pass removes (the example app's
 * first visit: 40.2 → 36.5 KB gzipped, docs/client-build.md). A source map
 * is carried through to the original files, with its sources' text and Bun's
 * debug id, and referenced as Bun referenced it (linked, external, inline).
 */
async function compactScript(path: string, sourcemap: NonNullable<BuildClientOptions['sourcemap']>): Promise<void> {
  let code = await Bun.file(path).text();
  const mapUrl = SOURCE_MAP_URL_COMMENT.exec(code)?.[1];
  code = code.replace(SOURCE_MAP_URL_COMMENT, '');
  const debugId = DEBUG_ID_COMMENT.exec(code)?.[1];
  code = code.replace(DEBUG_ID_COMMENT, '');
  const mapPath = `${path}.map`;
  const inputMap =
    sourcemap === 'none'
      ? null
      : sourcemap === 'inline'
        ? Buffer.from((mapUrl ?? '').replace(/^data:[^,]*base64,/, ''), 'base64').toString()
        : await Bun.file(mapPath).text();

  let result: Awaited<ReturnType<typeof terser>>;
  try {
    result = await terser(code, { ...TERSER_OPTIONS, sourceMap: inputMap === null ? false : { content: inputMap, includeSources: true } });
  } catch (cause) {
    throw new Error(`Terser could not compact ${path}: ${(cause as Error).message}`, { cause });
  }
  if (result.code === undefined) throw new Error(`Terser returned nothing for ${path}`);
  let compacted = result.code;
  if (inputMap !== null && typeof result.map === 'string') {
    const map = debugId === undefined ? result.map : JSON.stringify({ ...JSON.parse(result.map), debugId });
    if (debugId !== undefined) compacted += `\n//# debugId=${debugId}`;
    if (sourcemap === 'inline') {
      compacted += `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}`;
    } else {
      await Bun.write(mapPath, map);
      if (mapUrl !== undefined) compacted += `\n//# sourceMappingURL=${mapUrl}`;
    }
  }
  await Bun.write(path, compacted);
}

/**
 * Writes `path.br` (Brotli, best quality) and `path.gz` (gzip, level 9) beside
 * `path`, compressed once here rather than on every request, each only if it
 * is smaller than the file; returns the paths written.
 */
async function precompressAsset(path: string): Promise<string[]> {
  const bytes = new Uint8Array(await Bun.file(path).arrayBuffer());
  const copies: [string, Uint8Array][] = [
    [
      `${path}.br`,
      brotliCompressSync(bytes, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }),
    ],
    [`${path}.gz`, gzipSync(bytes, { level: 9 })],
  ];
  const smaller = copies.filter(([, body]) => body.length < bytes.length);
  await Promise.all(smaller.map(([copy, body]) => Bun.write(copy, body)));
  return smaller.map(([copy]) => copy);
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
