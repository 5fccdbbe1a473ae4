import { afterEach, describe, expect, test } from 'bun:test';
import { loadConfig, type StatehouseConfigInput } from '../../../server';
import { createLogger, type LogLevel } from '../../../server/log';
import { rawRequest } from '../../helpers/raw-http';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer | null = null;
let lines: { line: string; level: LogLevel }[] = [];
afterEach(async () => {
  await server?.stop();
  server = null;
});

async function start(config: StatehouseConfigInput = {}): Promise<{ port: number }> {
  lines = [];
  server = await startTestServer(config, { log: createLogger('warn', (line, level) => void lines.push({ line, level })) });
  return { port: Number(new URL(server.url).port) };
}

const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';

/** A request as a DNS-rebinding page sends it: its own name in `Host` and, on the upgrade, in `Origin`. */
async function status(port: number, hostHeader: string, { path = '/api/nothing', upgrade = false, extra = '' } = {}): Promise<number> {
  const origin = upgrade ? `Origin: http://${hostHeader}\r\n${UPGRADE}` : '';
  const res = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\n${origin}${extra}Connection: close\r\n\r\n`);
  return res.status;
}

describe('by default (test and development)', () => {
  test('the loopback names are served, on any port', async () => {
    const { port } = await start();
    for (const name of ['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]', 'localhost.']) {
      expect(`${name} → ${await status(port, `${name}:${port}`)}`).toBe(`${name} → 404`);
    }
    expect(await status(port, '127.0.0.1')).toBe(404);
  });

  test('a rebound name is refused with 421 and logged at warn, over HTTP and on the socket upgrade', async () => {
    const { port } = await start();
    for (const name of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`]) {
      expect(`${name} → ${await status(port, name)}`).toBe(`${name} → 421`);
      expect(`${name} upgrade → ${await status(port, name, { path: '/trpc', upgrade: true })}`).toBe(`${name} upgrade → 421`);
    }
    expect(server!.statehouse.runtime.registry.sizes().connections).toBe(0);
    expect(lines.length).toBe(8);
    expect(lines.every((l) => l.level === 'warn' && l.line.includes('host not allowed'))).toBe(true);
  });

  test('the same upgrade from an allowed name opens a socket', async () => {
    const { port } = await start();
    expect(await status(port, `localhost:${port}`, { path: '/trpc', upgrade: true })).toBe(101);
  });

  test('/healthz answers any host (load balancers probe by address)', async () => {
    const { port } = await start();
    expect(await status(port, 'evil.example', { path: '/healthz' })).toBe(200);
  });
});

describe('allowedHosts and publicUrl', () => {
  test('publicUrl’s host is allowed; with ALLOWED_HOSTS so are exact names, and a leading dot takes subdomains', async () => {
    const config = loadConfig({ env: 'test', publicUrl: 'https://app.example' }, { ALLOWED_HOSTS: 'api.example:8443, .example.org' });
    expect(config.allowedHosts).toEqual(['api.example:8443', '.example.org']);
    const { port } = await start({ publicUrl: 'https://app.example', allowedHosts: config.allowedHosts });
    for (const [name, expected] of [
      ['app.example', 404],
      ['app.example:443', 404],
      ['api.example:8443', 404],
      ['api.example:8444', 421],
      ['example.org', 404],
      ['www.example.org', 404],
      ['example.org.evil.example', 421],
      ['evilexample.org', 421],
      [`127.0.0.1:${port}`, 404],
    ] as const) {
      expect(`${name} → ${await status(port, name)}`).toBe(`${name} → ${expected}`);
    }
  });

  test('`*` turns the check off', async () => {
    const { port } = await start({ allowedHosts: ['*'] });
    expect(await status(port, 'evil.example')).toBe(404);
  });

  test('in production with publicUrl, loopback names are no longer served', async () => {
    const { port } = await start({
      env: 'production',
      publicUrl: 'https://app.example',
      mail: { backend: 'file', fileDir: '/tmp/statehouse-unused-mail' },
    });
    expect(await status(port, 'app.example')).toBe(404);
    expect(await status(port, `127.0.0.1:${port}`)).toBe(421);
  });
});

describe('in production with neither publicUrl nor allowedHosts', () => {
  test('only the loopback names are served, and the start says how to name the site', async () => {
    const { port } = await start({ env: 'production', mail: { backend: 'file', fileDir: '/tmp/statehouse-unused-mail' } });
    expect(lines.some((l) => l.level === 'warn' && l.line.includes('PUBLIC_URL or ALLOWED_HOSTS'))).toBe(true);
    expect(await status(port, `localhost:${port}`)).toBe(404);
    expect(await status(port, 'app.example')).toBe(421);
  });
});

describe('behind a trusted proxy', () => {
  test('X-Forwarded-Host is the host checked; from an untrusted peer it is ignored', async () => {
    const { port } = await start({ publicUrl: 'https://app.example', trustedProxies: ['127.0.0.1'] });
    expect(await status(port, `127.0.0.1:${port}`, { extra: 'X-Forwarded-Host: app.example\r\n' })).toBe(404);
    expect(await status(port, `127.0.0.1:${port}`, { extra: 'X-Forwarded-Host: evil.example\r\n' })).toBe(421);
    expect(await status(port, `127.0.0.1:${port}`, { extra: 'X-Forwarded-Host: a b\r\n' })).toBe(400);
    await server!.stop();
    server = null;
    const untrusted = await start({ publicUrl: 'https://app.example' });
    expect(await status(untrusted.port, `127.0.0.1:${untrusted.port}`, { extra: 'X-Forwarded-Host: evil.example\r\n' })).toBe(404);
  });

  test('with several X-Forwarded-Host values, the last one counts: the one the proxy wrote, after what the client sent', async () => {
    const { port } = await start({ publicUrl: 'https://app.example', trustedProxies: ['127.0.0.1'] });
    expect(await status(port, `127.0.0.1:${port}`, { extra: 'X-Forwarded-Host: app.example, evil.example\r\n' })).toBe(421);
    expect(await status(port, `127.0.0.1:${port}`, { extra: 'X-Forwarded-Host: evil.example, app.example\r\n' })).toBe(404);
  });
});
