import { Elysia } from 'elysia';
import { existsSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { encodedBody, isCompressedCopy } from './precompressed';

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
 * A path naming a file (`/favicon.ico`, `/assets/x.js`): for a client that is
 * not a browser navigating, a miss is a 404, not the page. (A reset link's
 * token has a dot too, followed by far more than five characters.)
 */
const FILE_PATH = /\.[a-z0-9]{1,5}$/i;

/**
 * Whether a request for a client-side route wants the page: a browser asks
 * for HTML, curl and link checkers for anything (`*\/*`) or say nothing. A
 * client that asks only for something else (JSON) gets a 404.
 */
function wantsPage(request: Request, path: string): boolean {
  if (NOT_SPA.test(path)) return false;
  const accept = request.headers.get('accept') ?? '';
  if (accept.includes('text/html')) return true;
  return !FILE_PATH.test(path) && (accept === '' || accept.includes('*/*'));
}

/** A built asset whose name carries its content hash (`main.k2x8d1a9.js`, a chunk, a map): it never changes. */
const HASHED_ASSET = /\.[0-9a-z]{8,}\.(js|css)(\.map)?$/i;

export interface StaticClientOptions {
  /**
   * Serve `.map` files; off, any `.map` is a 404 even if one is on disk (a
   * build left there, or copied by hand). `createStatehouse` sets it from
   * `clientSourceMaps(config)`. @default false
   */
  sourceMaps?: boolean;
  /**
   * The app's languages (`config.languages`), written into `index.html` as
   * `<meta name="statehouse-languages" content="en,ar">` so the client's
   * early fetch of a language's texts only guesses among them. @default none
   */
  languages?: readonly string[];
}

/** The `<meta>` naming the app's languages, after `<head>` (or the doctype) of `html`. */
export function withLanguagesMeta(html: string, languages: readonly string[]): string {
  const content = languages.join(',').replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const meta = `<meta name="statehouse-languages" content="${content}">`;
  const anchor = /<head[^>]*>/i.exec(html) ?? /<!doctype html>/i.exec(html);
  if (!anchor) return meta + html;
  const at = anchor.index + anchor[0].length;
  return html.slice(0, at) + meta + html.slice(at);
}

/**
 * Serves the built client from `dir`, and `index.html` for the single-page
 * app's routes (`/notes`, `/`: any other GET that is not a file and accepts
 * HTML or anything), under {@link CONTENT_SECURITY_POLICY}. Hashed assets
 * (the entry, its lazily loaded chunks, their styles) are cached for a year
 * as immutable; anything else is revalidated (`no-cache`). A file the
 * build precompressed (`.br`, `.gz` beside it) is sent in the coding the
 * browser weighs highest, with `Vary: Accept-Encoding`; the copies are not
 * served under their own names. Hand-written
 * rather than `@elysiajs/static`: the fallback to the page, its headers and
 * the per-path extras (`Referrer-Policy` on reset links) are most of it.
 */
export function staticClient(
  dir: string,
  extraHeaders: (path: string) => Record<string, string> = () => ({}),
  options: StaticClientOptions = {},
) {
  const root = resolve(dir);
  const sourceMaps = options.sourceMaps ?? false;
  return new Elysia({ name: 'statehouse-static' }).get('/*', async ({ request, status }) => {
    const url = new URL(request.url);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      // The request guard refuses a bad escape before routing; this route never trusts it did.
      return status(400, 'Bad request');
    }
    // A source map, or a compressed copy of one.
    if (!sourceMaps && /\.map(\.(br|gz))?$/i.test(path)) return status(404, 'Not found');
    const file = normalize(join(root, path));
    if (file.startsWith(`${root}/`) && existsSync(file) && !path.endsWith('/')) {
      const asset = Bun.file(file);
      if (await asset.exists()) {
        if (isCompressedCopy(file)) return status(404, 'Not found');
        const { path: body, encoding, varies } = encodedBody(file, request.headers.get('accept-encoding'));
        return new Response(encoding === null ? asset : Bun.file(body), {
          headers: {
            // The original's type, not the sibling's (`application/gzip`).
            'content-type': asset.type,
            ...(encoding === null ? {} : { 'content-encoding': encoding }),
            ...(varies ? { vary: 'Accept-Encoding' } : {}),
            'cache-control': HASHED_ASSET.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
            'x-content-type-options': 'nosniff',
            ...extraHeaders(path),
          },
        });
      }
    }
    if (!wantsPage(request, path)) return status(404, 'Not found');
    const index = Bun.file(join(root, 'index.html'));
    if (!(await index.exists())) return status(503, 'The client is not built yet');
    const languages = options.languages;
    return new Response(languages ? withLanguagesMeta(await index.text(), languages) : index, {
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
