import remapping, { type SourceMapInput } from '@jridgewell/remapping';
import { resolve } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { minify as terser, type MinifyOptions } from 'terser';
import terserPackage from 'terser/package.json' with { type: 'json' };

/** How a build writes source maps (`Bun.build`'s `sourcemap`). */
export type SourceMapMode = 'none' | 'linked' | 'external' | 'inline';

/** Terser's settings for the second pass over each script. */
const TERSER_OPTIONS: MinifyOptions = { module: true, compress: { passes: 2 } };

/** A comment naming the second pass, for what Bun hashes (`footer`): a different pass, different names. */
export const COMPACTED_BY = `/* terser ${terserPackage.version} ${JSON.stringify(TERSER_OPTIONS)} */`;

/** The comments Bun ends a script with when it writes a source map: the map's URL last, its debug id before it. */
const SOURCE_MAP_URL_COMMENT = /\n?\/\/# sourceMappingURL=(\S+)\s*$/;
const DEBUG_ID_COMMENT = /\n?\/\/# debugId=(\S+)\s*$/;

/** A built script without its trailing comments, and its source map, as Bun wrote them. */
interface MappedScript {
  code: string;
  /** The map's JSON, or null without one. */
  map: string | null;
  /** The URL the script named its map by (linked; a data URL when inline). */
  mapUrl: string | undefined;
  debugId: string | undefined;
}

async function readScript(path: string, sourcemap: SourceMapMode): Promise<MappedScript> {
  let code = await Bun.file(path).text();
  const mapUrl = SOURCE_MAP_URL_COMMENT.exec(code)?.[1];
  code = code.replace(SOURCE_MAP_URL_COMMENT, '');
  const debugId = DEBUG_ID_COMMENT.exec(code)?.[1];
  code = code.replace(DEBUG_ID_COMMENT, '');
  const map =
    sourcemap === 'none'
      ? null
      : sourcemap === 'inline'
        ? Buffer.from((mapUrl ?? '').replace(/^data:[^,]*base64,/, ''), 'base64').toString()
        : await Bun.file(`${path}.map`).text();
  return { code, map, mapUrl, debugId };
}

/** Writes the script back with its map referenced as Bun referenced it (linked, external, inline), keeping Bun's debug id. */
async function writeScript(path: string, sourcemap: SourceMapMode, script: MappedScript): Promise<void> {
  let { code } = script;
  const { map: json, mapUrl, debugId } = script;
  if (json !== null) {
    const map = debugId === undefined ? json : JSON.stringify({ ...JSON.parse(json), debugId });
    if (debugId !== undefined) code += `\n//# debugId=${debugId}`;
    if (sourcemap === 'inline') {
      code += `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}`;
    } else {
      await Bun.write(`${path}.map`, map);
      if (mapUrl !== undefined) code += `\n//# sourceMappingURL=${mapUrl}`;
    }
  }
  await Bun.write(path, code);
}

/**
 * Leads the source map of a built script past the Solid transform: Bun maps
 * the bundle to what a plugin handed it (the JSX already compiled) and does
 * not read the plugin's own maps, so each source that the transform made is
 * replaced by the original it came from, with that file's text
 * (`transformMaps`, by absolute path, from `solidPlugin`'s `onSourceMap`).
 * Sources without a transform map (plain `.ts`, packages) stay as they are.
 */
export async function chainTransformMaps(
  path: string,
  outdir: string,
  sourcemap: SourceMapMode,
  transformMaps: ReadonlyMap<string, object>,
): Promise<void> {
  const script = await readScript(path, sourcemap);
  if (script.map === null) return;
  const chained = remapping(script.map, (source, context) => {
    if (context.depth !== 1) return null;
    // Bun names sources relative to the build's output folder.
    return (transformMaps.get(resolve(outdir, source)) as SourceMapInput | undefined) ?? null;
  });
  await writeScript(path, sourcemap, { ...script, map: chained.toString() });
}

/**
 * Rewrites a script Bun has minified with Terser's compressor and mangler.
 * Bun's minifier keeps what a second, slower pass removes (the example app's
 * first visit: 40.5 → 36.8 KB gzipped, docs/client-build.md). A source map
 * is carried through, with its sources' text and Bun's debug id.
 */
export async function compactScript(path: string, sourcemap: SourceMapMode): Promise<void> {
  const script = await readScript(path, sourcemap);
  let result: Awaited<ReturnType<typeof terser>>;
  try {
    result = await terser(script.code, {
      ...TERSER_OPTIONS,
      sourceMap: script.map === null ? false : { content: script.map, includeSources: true },
    });
  } catch (cause) {
    throw new Error(`Terser could not compact ${path}: ${(cause as Error).message}`, { cause });
  }
  if (result.code === undefined) throw new Error(`Terser returned nothing for ${path}`);
  const map = script.map === null || typeof result.map !== 'string' ? null : result.map;
  await writeScript(path, sourcemap, { ...script, code: result.code, map });
}

/**
 * Writes `path.br` (Brotli, best quality) and `path.gz` (gzip, level 9) beside
 * `path`, compressed once here rather than on every request, each only if it
 * is smaller than the file; returns the paths written.
 */
export async function precompressAsset(path: string): Promise<string[]> {
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
