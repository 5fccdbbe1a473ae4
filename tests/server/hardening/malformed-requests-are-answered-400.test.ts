import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, type LogLevel } from '../../../server/log';
import { createTempDir } from '../../helpers/db';
import { rawRequest } from '../../helpers/raw-http';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
let port: number;
let host: string;
const lines: { line: string; level: LogLevel }[] = [];
beforeAll(async () => {
  const clientDir = createTempDir('statehouse-client-');
  mkdirSync(join(clientDir, 'assets'));
  writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>app</title>');
  server = await startTestServer(
    { logLevel: 'debug' },
    { clientDir, log: createLogger('debug', (line, level) => void lines.push({ line, level })) },
  );
  port = Number(new URL(server.url).port);
  host = new URL(server.url).host;
});
afterAll(async () => {
  await server.stop();
});

function request(method: string, path: string, hostHeader: string, extra = ''): Promise<number> {
  return rawRequest(
    port,
    `${method} ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\nAccept: text/html\r\nOrigin: http://${host}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`,
  ).then((r) => r.status);
}

/** Runs `send` and answers the log lines it wrote. */
async function logged(send: () => Promise<unknown>): Promise<{ line: string; level: LogLevel }[]> {
  const before = lines.length;
  await send();
  return lines.slice(before);
}

const BAD_PATHS = ['/%', '/%E0%A4%A', '/notes/%zz', '/assets/%', '/trpc%', '/auth/session/%', '/api/%C0'];
const BAD_HOSTS = ['a b', 'a\tb', 'a#b', `127.0.0.1:${'x'}`, 'a/b', 'user@127.0.0.1', '[::1', ''];

describe('a path with a bad escape', () => {
  test.each(BAD_PATHS)('GET %s is answered 400 and logged at warn', async (path) => {
    let status = 0;
    const written = await logged(async () => (status = await request('GET', path, host)));
    expect(status).toBe(400);
    expect(written.map((w) => w.level)).toEqual(['warn']);
    expect(written[0]!.line).toContain('bad request');
  });

  test('POST to an auth endpoint with one is answered 400 too', async () => {
    expect(await request('POST', '/auth/session%', host)).toBe(400);
    expect(await request('POST', '/auth/logout?x=%', host)).toBe(204);
  });
});

describe('a Host header that is no host', () => {
  test.each(BAD_HOSTS)('%p is answered 400 and logged at warn', async (bad) => {
    let status = 0;
    const written = await logged(async () => (status = await request('GET', '/', bad)));
    expect(status).toBe(400);
    expect(written.map((w) => w.level)).toEqual(['warn']);
  });

  test('on the socket upgrade and the cookie endpoints too', async () => {
    const upgrade =
      'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
    expect(await request('GET', '/trpc', 'a b', upgrade)).toBe(400);
    expect(await request('POST', '/auth/session', 'a#b')).toBe(400);
    expect(await request('POST', '/auth/logout', 'a\tb')).toBe(400);
    expect(server.statehouse.runtime.registry.sizes().connections).toBe(0);
  });
});

test('nothing malformed is answered 500 or logged as an error, and the server still serves', async () => {
  expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  expect(await request('GET', '/notes', host)).toBe(200);
  expect(await request('GET', '/notes/caf%C3%A9?q=%20', host)).toBe(200);
});

describe('a request to the socket route that is no upgrade', () => {
  test('is answered 400 and leaves nothing of its headers in the shared table', async () => {
    const { strings } = server.statehouse.runtime.registry;
    const before = strings.objectCount;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.url}/trpc`, { headers: { origin: server.url, 'x-request-id': `plain-get-${i}` } });
      expect(res.status).toBe(400);
    }
    expect(strings.objectCount).toBe(before);
  });
});
