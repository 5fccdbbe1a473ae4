import { Elysia } from 'elysia';
import { existsSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';

/** Paths that never fall back to the single-page app's index.html. */
const NOT_SPA = /^\/(trpc|auth|api|healthz)(\/|$)/;

/**
 * Serves the built client from `dir`, and `index.html` for any other GET that
 * accepts HTML (client-side routes such as `/notes`).
 */
export function staticClient(dir: string, extraHeaders: (path: string) => Record<string, string> = () => ({})) {
  const root = resolve(dir);
  return new Elysia({ name: 'statehouse-static' }).get('/*', async ({ request, status }) => {
    const url = new URL(request.url);
    const path = decodeURIComponent(url.pathname);
    const file = normalize(join(root, path));
    if (file.startsWith(root + '/') && existsSync(file) && !path.endsWith('/')) {
      const asset = Bun.file(file);
      if (await asset.exists()) {
        const immutable = /\.[0-9a-z]{8,}\.(js|css|map)$/i.test(path);
        return new Response(asset, {
          headers: { 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache', ...extraHeaders(path) },
        });
      }
    }
    if (NOT_SPA.test(path) || !(request.headers.get('accept') ?? '').includes('text/html')) return status(404, 'Not found');
    const index = Bun.file(join(root, 'index.html'));
    if (!(await index.exists())) return status(503, 'The client is not built yet');
    return new Response(index, {
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
        ...extraHeaders(path),
      },
    });
  });
}
