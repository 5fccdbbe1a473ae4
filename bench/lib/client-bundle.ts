import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** One built asset: its size minified, gzipped at level 9, and with Brotli at its best quality. */
export interface BundleFile {
  /** Its URL path (`/assets/main.k2x8d1a9.js`). */
  path: string;
  kind: 'js' | 'css';
  bytes: number;
  gzipBytes: number;
  /** As the app's server sends it to a browser that accepts Brotli (the build's `.br`). */
  brotliBytes: number;
  /** Loaded with the page (the entry and what it imports statically), not on first use. */
  shell: boolean;
}

/** What a build sends a first visit, and what it keeps for later. */
export interface BundleSizes {
  files: BundleFile[];
  /** JavaScript a first visit downloads: the entry and its static imports, gzipped. */
  shellJsGzipBytes: number;
  /** The same, with Brotli: what the app's server sends a browser that accepts it. */
  shellJsBrotliBytes: number;
  /** Every other chunk: lazily loaded pages and libraries, gzipped. */
  lazyJsGzipBytes: number;
  cssGzipBytes: number;
  /** The shell's JavaScript as served (not gzipped): the floor page's payload is this big. */
  shellJsBytes: number;
}

/** `import … from "./x.js"` and `import "./x.js"`: the static imports of an ESM chunk (not `import("…")`). */
const STATIC_IMPORT = /(?:^|[;\s}])(?:import|export)\s*(?:[\w${}*,\s]+?\s*from\s*)?["']([^"']+\.js)["']/g;

/** The assets a page references (`<script src>`, `<link href>`), as URL paths. */
function referencedBy(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
}

/**
 * Sizes of a client build in `dir` (`index.html` and `assets/`): each `.js`
 * and `.css` minified as written and gzipped (level 9), and which of them
 * a first visit loads (the shell: what `index.html` references and, through
 * static imports, what that pulls in) against what waits for a dynamic
 * `import()`.
 *
 * @example
 * await buildClient({ outdir: dir, minify: true });
 * const { shellJsGzipBytes } = await measureClientBundle(dir);
 */
export async function measureClientBundle(dir: string): Promise<BundleSizes> {
  const names = readdirSync(join(dir, 'assets')).filter((name) => /\.(js|css)$/.test(name));
  const text = new Map<string, string>();
  for (const name of names) text.set(`/assets/${name}`, await Bun.file(join(dir, 'assets', name)).text());

  const shell = new Set<string>();
  const queue = referencedBy(await Bun.file(join(dir, 'index.html')).text());
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (shell.has(path) || !text.has(path)) continue;
    shell.add(path);
    if (!path.endsWith('.js')) continue;
    for (const m of text.get(path)!.matchAll(STATIC_IMPORT)) queue.push(new URL(m[1]!, `http://x${path}`).pathname);
  }

  const files: BundleFile[] = [...text].map(([path, body]) => {
    const bytes = Buffer.from(body);
    return {
      path,
      kind: path.endsWith('.css') ? 'css' : 'js',
      bytes: bytes.length,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
      brotliBytes: brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY } }).length,
      shell: shell.has(path),
    };
  });
  files.sort((a, b) => Number(b.shell) - Number(a.shell) || b.gzipBytes - a.gzipBytes);
  const sum = (list: BundleFile[], key: 'bytes' | 'gzipBytes' | 'brotliBytes') => list.reduce((total, f) => total + f[key], 0);
  const js = files.filter((f) => f.kind === 'js');
  return {
    files,
    shellJsGzipBytes: sum(
      js.filter((f) => f.shell),
      'gzipBytes',
    ),
    shellJsBrotliBytes: sum(
      js.filter((f) => f.shell),
      'brotliBytes',
    ),
    lazyJsGzipBytes: sum(
      js.filter((f) => !f.shell),
      'gzipBytes',
    ),
    cssGzipBytes: sum(
      files.filter((f) => f.kind === 'css'),
      'gzipBytes',
    ),
    shellJsBytes: sum(
      js.filter((f) => f.shell),
      'bytes',
    ),
  };
}
