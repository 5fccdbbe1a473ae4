import { transformAsync } from '@babel/core';
import typescriptPreset from '@babel/preset-typescript';
import solidPreset from 'babel-preset-solid';
import type { BunPlugin } from 'bun';
import { basename } from 'node:path';

export interface SolidPluginOptions {
  /** Which files get Solid's JSX transform. @default /\.[jt]sx$/ */
  filter?: RegExp;
  /** `dom` for the browser, `ssr` for server rendering. @default 'dom' */
  generate?: 'dom' | 'ssr';
  /**
   * Source maps of the transform: inline in what the plugin hands Bun (read
   * at run time, as under `bun test`), and given to `onSourceMap`. @default true
   */
  sourceMaps?: boolean;
  /**
   * Called with each file's transform map (absolute path, map object): the
   * bundler does not read a plugin's maps, so `buildClient` chains these into
   * the bundle's own, which then lead to the `.tsx` itself.
   */
  onSourceMap?: (path: string, map: object) => void;
}

/**
 * A Bun plugin compiling `.tsx`/`.jsx` with Babel 7, `babel-preset-solid`
 * and `@babel/preset-typescript`, since Bun's own JSX transform targets
 * React-style runtimes. Works with `Bun.build({ plugins })` and with
 * `Bun.plugin()` in a test preload; the `bun build` CLI ignores plugins.
 *
 * @example
 * await Bun.build({ entrypoints: ['client/app/main.tsx'], outdir: 'dist/client', plugins: [solidPlugin()] });
 */
export function solidPlugin(options: SolidPluginOptions = {}): BunPlugin {
  const { filter = /\.[jt]sx$/, generate = 'dom', sourceMaps = true, onSourceMap } = options;
  return {
    name: 'statehouse-solid-jsx',
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => {
        const source = await Bun.file(path).text();
        const result = await transformAsync(source, {
          filename: path,
          babelrc: false,
          configFile: false,
          sourceMaps: sourceMaps ? 'both' : false,
          // Named as the file itself: a map chained onto the bundle's resolves it beside the bundle's own entry for it.
          sourceFileName: basename(path),
          presets: [[solidPreset, { generate, hydratable: false }], typescriptPreset],
        });
        if (!result?.code) throw new Error(`Babel produced no code for ${path}`);
        if (result.map && onSourceMap) onSourceMap(path, result.map);
        return { contents: result.code, loader: 'js' };
      });
    },
  };
}
