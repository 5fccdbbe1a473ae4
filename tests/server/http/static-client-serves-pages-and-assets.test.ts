import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { clientSourceMaps, loadConfig } from '../../../server/config';
import { encodingWeight } from '../../../server/http/precompressed';
import { withLanguagesMeta } from '../../../server/http/static';
import { createTempDir } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';

/**
 * The built client: its files as they are, and `index.html` for the
 * single-page app's routes, whoever asks (a browser, curl, a link checker).
 */
let server: TestServer;
let clientDir: string;
const MAP = '{"version":3,"sources":["../client/app/main.tsx"],"mappings":""}';
const INDEX = '<!doctype html><title>app</title><script type="module" src="/assets/main.3f9a2c1b.js"></script>';
/** index.html as served: the app's languages (the default, English only) written in after the doctype. */
const SERVED_INDEX = INDEX.replace('<!doctype html>', '<!doctype html><meta name="statehouse-languages" content="en">');
beforeAll(async () => {
  clientDir = createTempDir('statehouse-client-');
  mkdirSync(join(clientDir, 'assets'));
  writeFileSync(join(clientDir, 'index.html'), INDEX);
  writeFileSync(join(clientDir, 'assets', 'main.3f9a2c1b.js'), 'console.log(1)');
  writeFileSync(join(clientDir, 'assets', 'main.3f9a2c1b.js.map'), MAP);
  writeFileSync(join(clientDir, 'assets', 'settings-page.7mtvv373.js'), 'export const page = 1;');
  writeFileSync(join(clientDir, 'assets', 'main.17wkhqkp.css'), 'body{margin:0}');
  writeFileSync(join(clientDir, 'robots.txt'), 'User-agent: *');
  server = await startTestServer({}, { clientDir });
});
afterAll(async () => {
  await server.stop();
  rmSync(clientDir, { recursive: true, force: true });
});

function get(path: string, accept?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: accept === undefined ? {} : { accept } });
}

describe('the single-page app', () => {
  test.each([
    ['a browser', 'text/html,application/xhtml+xml,*/*;q=0.8'],
    ['curl', '*/*'],
    ['a client that sends no Accept', ''],
  ])('gets index.html for / and for client-side routes, from %s', async (_who, accept) => {
    for (const path of ['/', '/notes', `/password-reset/${'a'.repeat(24)}.${'b'.repeat(32)}`, '/settings?tab=security']) {
      const res = await get(path, accept);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get('content-type')).toStartWith('text/html');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await res.text()).toBe(SERVED_INDEX);
    }
  });

  test('names the app’s languages in a meta tag, so the client guesses only among them', async () => {
    const arabic = await startTestServer({ languages: ['en', 'ar'] }, { clientDir });
    try {
      const html = await (await fetch(`${arabic.url}/login`, { headers: { accept: 'text/html' } })).text();
      expect(html).toBe(INDEX.replace('<!doctype html>', '<!doctype html><meta name="statehouse-languages" content="en,ar">'));
    } finally {
      await arabic.stop();
    }
  });

  test('the meta tag goes right after <head> when the page has one', () => {
    expect(withLanguagesMeta('<!doctype html><html><head lang="en"><title>x</title></head></html>', ['en', 'ar'])).toBe(
      '<!doctype html><html><head lang="en"><meta name="statehouse-languages" content="en,ar"><title>x</title></head></html>',
    );
  });

  test('a request that asks only for something else (JSON) gets 404, not a page', async () => {
    expect((await get('/notes', 'application/json')).status).toBe(404);
  });

  test('a browser navigating gets the page whatever the path looks like', async () => {
    expect((await get('/docs/v1.2', 'text/html')).status).toBe(200);
  });

  test('a missing file (a path with an extension), asked for by a client that is not navigating, is 404, not the page', async () => {
    for (const path of ['/assets/gone.1234abcd.js', '/favicon.ico', '/styles.css']) expect((await get(path, '*/*')).status).toBe(404);
  });

  test('framework paths never fall back to the page', async () => {
    for (const path of ['/api/nothing', '/auth/nothing', '/trpc/x']) expect((await get(path, 'text/html')).status).toBe(404);
  });
});

describe('files of the build', () => {
  test('hashed bundles are cached for good, other files revalidated', async () => {
    const bundle = await get('/assets/main.3f9a2c1b.js', '*/*');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('cache-control')).toContain('immutable');
    expect(await bundle.text()).toBe('console.log(1)');
    const robots = await get('/robots.txt', '*/*');
    expect(robots.status).toBe(200);
    expect(robots.headers.get('cache-control')).toBe('no-cache');
  });

  test('lazily loaded chunks and stylesheets are served with their type, nosniff, and cached for good', async () => {
    for (const [path, type] of [
      ['/assets/settings-page.7mtvv373.js', 'text/javascript'],
      ['/assets/main.17wkhqkp.css', 'text/css'],
    ] as const) {
      const res = await get(path, '*/*');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toStartWith(type);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  test('outside production, source maps are served', async () => {
    const res = await get('/assets/main.3f9a2c1b.js.map', '*/*');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(MAP);
    // Its name carries the bundle's hash, so it never changes either.
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  test('nothing outside the build folder is served', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
      const res = await get(path, '*/*');
      expect(await res.text()).not.toContain('"name": "statehouse"');
    }
  });
});

describe('precompressed files of a production build', () => {
  const SCRIPT = `export const texts = ${JSON.stringify('Sign in. '.repeat(200))};`;
  const NAME = '/assets/shell.k2x8d1a9.js';
  beforeAll(() => {
    writeFileSync(join(clientDir, NAME), SCRIPT);
    writeFileSync(join(clientDir, `${NAME}.br`), brotliCompressSync(SCRIPT));
    writeFileSync(join(clientDir, `${NAME}.gz`), gzipSync(SCRIPT));
    // A build that wrote only gzip.
    writeFileSync(join(clientDir, 'assets', 'gzip-only.k2x8d1a9.css'), 'body{margin:0}');
    writeFileSync(join(clientDir, 'assets', 'gzip-only.k2x8d1a9.css.gz'), gzipSync('body{margin:0}'));
  });

  /** The response as sent, not decoded by `fetch`. */
  async function raw(path: string, acceptEncoding: string | null) {
    const res = await fetch(`${server.url}${path}`, {
      headers: acceptEncoding === null ? {} : { 'accept-encoding': acceptEncoding },
      decompress: false,
    } as RequestInit);
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  }

  test('a browser that accepts Brotli gets the .br file, with the script’s type and caching', async () => {
    const { res, body } = await raw(NAME, 'gzip, deflate, br, zstd');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('content-type')).toStartWith('text/javascript');
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(brotliDecompressSync(body).toString()).toBe(SCRIPT);
  });

  test('one that accepts gzip only gets the .gz file', async () => {
    const { res, body } = await raw(NAME, 'gzip, deflate');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(body).toString()).toBe(SCRIPT);
  });

  test('one that refuses both, or says nothing, gets the file as it is, still marked as varying', async () => {
    for (const header of [null, 'identity', 'br;q=0, gzip;q=0', '*;q=0']) {
      const { res, body } = await raw(NAME, header);
      expect({ header, encoding: res.headers.get('content-encoding') }).toEqual({ header, encoding: null });
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      expect(body.toString()).toBe(SCRIPT);
    }
  });

  test('a coding refused by name is skipped for the next one', async () => {
    const { res, body } = await raw(NAME, 'br;q=0, *');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(body).toString()).toBe(SCRIPT);
  });

  test('the coding weighed highest wins; Brotli on a tie; x-gzip is gzip', async () => {
    for (const [header, expected] of [
      ['br;q=0.1, gzip', 'gzip'],
      ['gzip;q=0.5, br;q=0.8', 'br'],
      ['gzip, br', 'br'],
      ['x-gzip', 'gzip'],
    ] as const) {
      const { res } = await raw(NAME, header);
      expect({ header, encoding: res.headers.get('content-encoding') }).toEqual({ header, encoding: expected });
    }
  });

  test('only the codings the build wrote are offered', async () => {
    const { res, body } = await raw('/assets/gzip-only.k2x8d1a9.css', 'br, gzip');
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(res.headers.get('content-type')).toStartWith('text/css');
    expect(gunzipSync(body).toString()).toBe('body{margin:0}');
  });

  test('a file without siblings is sent as it is, not marked as varying', async () => {
    const { res } = await raw('/assets/main.3f9a2c1b.js', 'gzip, br');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('vary')).toBeNull();
  });

  test('a copy older than its file (a new build copied over an old one) is not used', async () => {
    const name = '/assets/stale.k2x8d1a9.js';
    writeFileSync(join(clientDir, name), SCRIPT);
    writeFileSync(join(clientDir, `${name}.br`), brotliCompressSync('export const old = 1;'));
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(clientDir, `${name}.br`), hourAgo, hourAgo);
    const { res, body } = await raw(name, 'br');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(body.toString()).toBe(SCRIPT);
  });

  test('the copies are not served under their own names; a lone .gz file is', async () => {
    for (const copy of [`${NAME}.br`, `${NAME}.gz`]) expect((await raw(copy, 'br, gzip')).res.status).toBe(404);
    writeFileSync(join(clientDir, 'export.csv.gz'), gzipSync('a,b'));
    const { res, body } = await raw('/export.csv.gz', null);
    expect(res.status).toBe(200);
    expect(gunzipSync(body).toString()).toBe('a,b');
  });

  test('HEAD sends the copy’s length and no body; a range counts bytes of the copy', async () => {
    const compressed = brotliCompressSync(SCRIPT);
    const head = await fetch(`${server.url}${NAME}`, {
      method: 'HEAD',
      headers: { 'accept-encoding': 'br' },
      decompress: false,
    } as RequestInit);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-encoding')).toBe('br');
    expect(head.headers.get('content-length')).toBe(String(compressed.length));
    expect((await head.arrayBuffer()).byteLength).toBe(0);

    const ranged = await fetch(`${server.url}${NAME}`, {
      headers: { 'accept-encoding': 'br', range: 'bytes=0-9' },
      decompress: false,
    } as RequestInit);
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 0-9/${compressed.length}`);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(compressed.subarray(0, 10));
  });

  test('Accept-Encoding is read with its weights', () => {
    expect(encodingWeight('gzip, deflate, br', 'br')).toBe(1);
    expect(encodingWeight('GZIP;q=0.5', 'gzip')).toBe(0.5);
    expect(encodingWeight('gzip;q=0', 'gzip')).toBe(0);
    expect(encodingWeight('gzip ; q = 0.000', 'gzip')).toBe(0);
    expect(encodingWeight('gzip;q=1.5', 'gzip')).toBe(0);
    expect(encodingWeight('gzip;q=abc', 'gzip')).toBe(0);
    expect(encodingWeight('*', 'br')).toBe(1);
    expect(encodingWeight('*;q=0.3', 'br')).toBe(0.3);
    expect(encodingWeight('*, br;q=0', 'br')).toBe(0);
    expect(encodingWeight('x-gzip;q=0.7', 'gzip')).toBe(0.7);
    expect(encodingWeight('identity', 'gzip')).toBe(0);
    expect(encodingWeight(null, 'gzip')).toBe(0);
    expect(encodingWeight('', 'gzip')).toBe(0);
  });
});

describe('source maps in production', () => {
  const PRODUCTION = { env: 'production', mail: { backend: 'file', fileDir: '/tmp/statehouse-unused-mail' } } as const;

  async function mapStatus(config: Parameters<typeof startTestServer>[0]): Promise<number> {
    const production = await startTestServer(config, { clientDir });
    try {
      // The bundle itself is served either way.
      expect((await fetch(`${production.url}/assets/main.3f9a2c1b.js`)).status).toBe(200);
      return (await fetch(`${production.url}/assets/main.3f9a2c1b.js.map`, { headers: { accept: '*/*' } })).status;
    } finally {
      await production.stop();
    }
  }

  test('are not served, though one is on disk', async () => {
    expect(await mapStatus(PRODUCTION)).toBe(404);
  });

  test('nor are compressed copies of them', async () => {
    writeFileSync(join(clientDir, 'assets', 'main.3f9a2c1b.js.map.gz'), gzipSync(MAP));
    writeFileSync(join(clientDir, 'assets', 'main.3f9a2c1b.js.map.br'), brotliCompressSync(MAP));
    const production = await startTestServer(PRODUCTION, { clientDir });
    try {
      for (const suffix of ['.gz', '.br']) {
        const res = await fetch(`${production.url}/assets/main.3f9a2c1b.js.map${suffix}`, { headers: { accept: '*/*' } });
        expect({ suffix, status: res.status }).toEqual({ suffix, status: 404 });
      }
    } finally {
      await production.stop();
    }
  });

  test('are served with client.sourceMaps on', async () => {
    expect(await mapStatus({ ...PRODUCTION, client: { sourceMaps: true } })).toBe(200);
  });

  test('CLIENT_SOURCE_MAPS turns them on; outside production they are always on', () => {
    const mail = { MAIL_BACKEND: 'file', MAIL_FILE_DIR: '/tmp/statehouse-unused-mail' };
    expect(clientSourceMaps(loadConfig({}, { ...mail, NODE_ENV: 'production' }))).toBe(false);
    expect(clientSourceMaps(loadConfig({}, { ...mail, NODE_ENV: 'production', CLIENT_SOURCE_MAPS: '1' }))).toBe(true);
    expect(clientSourceMaps(loadConfig({}, { NODE_ENV: 'development' }))).toBe(true);
  });
});
