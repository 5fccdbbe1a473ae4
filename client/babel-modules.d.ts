/**
 * The little of Babel 7 that the Solid build plugin calls. The packages ship
 * no types of their own.
 */
declare module '@babel/core' {
  export interface TransformOptions {
    filename?: string;
    babelrc?: boolean;
    configFile?: boolean | string;
    presets?: unknown[];
    plugins?: unknown[];
    sourceMaps?: boolean | 'inline' | 'both';
    sourceFileName?: string;
  }
  export interface BabelFileResult {
    code?: string | null;
    /** With `sourceMaps: true` or `'both'`: the transform's source map. */
    map?: { version: number; sources: string[]; sourcesContent?: string[]; mappings: string; names: string[] } | null;
  }
  export function transformAsync(code: string, options?: TransformOptions): Promise<BabelFileResult | null>;
}

declare module 'babel-preset-solid' {
  const preset: unknown;
  export default preset;
}

declare module '@babel/preset-typescript' {
  const preset: unknown;
  export default preset;
}
