import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { identity } from '../../../server';
import type { Runtime } from '../../../server/runtime';
import { rawRequest } from '../../helpers/raw-http';
import { startTestServer, type TestServer } from '../../helpers/server';

/** A route taking any method (WebDAV-style), that writes the session when it may. */
function api(runtime: Runtime) {
  return new Elysia({ name: 'test-any-method' }).use(identity(runtime)).all('/api/any', async ({ user, session, request }) => {
    let wrote = false;
    try {
      await session.set('touched', request.method);
      wrote = true;
    } catch {
      // A safe method may not write.
    }
    return { by: user.username, method: request.method, wrote };
  });
}

let server: TestServer;
let alice: { cookie: string };
let port: number;
beforeAll(async () => {
  server = await startTestServer({}, { http: api });
  alice = await server.userWithSession('alice');
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.stop();
});

const CUSTOM = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'PURGE', 'SEARCH', 'REPORT', 'patch'];

describe('a method other than GET, HEAD and OPTIONS', () => {
  test.each(CUSTOM)('%s from another site, or without Origin, is refused with 403 before it runs', async (method) => {
    for (const origin of ['https://evil.example', null]) {
      const res = await fetch(`${server.url}/api/any`, { method, headers: { cookie: alice.cookie, ...(origin ? { origin } : {}) } });
      expect(`${method} ${origin} → ${res.status}`).toBe(`${method} ${origin} → 403`);
      expect((await res.json()).error).toBe('forbidden_origin');
    }
  });

  test.each(CUSTOM)('%s from this site runs as the caller and may write the session', async (method) => {
    const res = await fetch(`${server.url}/api/any`, { method, headers: { cookie: alice.cookie, origin: server.url } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ by: 'alice', method: method.toUpperCase(), wrote: true });
  });
});

describe('GET, HEAD and OPTIONS', () => {
  test('need no Origin and cannot write the session', async () => {
    for (const method of ['GET', 'OPTIONS']) {
      const res = await fetch(`${server.url}/api/any`, { method, headers: { cookie: alice.cookie, origin: 'https://evil.example' } });
      expect(await res.json()).toEqual({ by: 'alice', method, wrote: false });
    }
    const head = await rawRequest(
      port,
      `HEAD /api/any HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: ${alice.cookie}\r\nConnection: close\r\n\r\n`,
    );
    expect(head.status).toBe(200);
  });
});
