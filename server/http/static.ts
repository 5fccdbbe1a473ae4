import { Elysia } from 'elysia';
import { existsSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';

/**
 * The app's pages load scripts, styles, images and fonts from this origin
 * only, connect only to it (the socket included), run no inline script or
 * `eval`, and may not be framed (clickjacking). `index.html` references its
 * bundles as files, so nothing in it needs an exception.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that never fall back to the single-page app's index.html. */
const NOT_SPA = /^\/(trpc|auth|api|healthz)(\/|$)/;

/**
 * Serves the built client from `dir`, and `index.html` for any other GET that
 * accepts HTML (client-side routes such as `/notes`), under
 * {@link CONTENT_SECURITY_POLICY}.
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
        'content-security-policy': CONTENT_SECURITY_POLICY,
        // For browsers older than frame-ancestors.
        'x-frame-options': 'DENY',
        ...extraHeaders(path),
      },
    });
  });
}
