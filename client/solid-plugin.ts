import { transformAsync } from '@babel/core';
import typescriptPreset from '@babel/preset-typescript';
import solidPreset from 'babel-preset-solid';
import type { BunPlugin } from 'bun';

export interface SolidPluginOptions {
  /** Which files get Solid's JSX transform. @default /\.[jt]sx$/ */
  filter?: RegExp;
  /** `dom` for the browser, `ssr` for server rendering. @default 'dom' */
  generate?: 'dom' | 'ssr';
  /** Inline source maps, so stack traces and debuggers point at the .tsx. @default true */
  sourceMaps?: boolean;
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
  const { filter = /\.[jt]sx$/, generate = 'dom', sourceMaps = true } = options;
  return {
    name: 'statehouse-solid-jsx',
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => {
        const source = await Bun.file(path).text();
        const result = await transformAsync(source, {
          filename: path,
          babelrc: false,
          configFile: false,
          sourceMaps: sourceMaps ? 'inline' : false,
          presets: [[solidPreset, { generate, hydratable: false }], typescriptPreset],
        });
        if (!result?.code) throw new Error(`Babel produced no code for ${path}`);
        return { contents: result.code, loader: 'js' };
      });
    },
  };
}
