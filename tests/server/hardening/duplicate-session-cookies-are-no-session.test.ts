import { afterEach, describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { identity } from '../../../server';
import { readCookieHeader } from '../../../server/auth/cookie-header';
import type { Runtime } from '../../../server/runtime';
import { startTestServer, type TestServer } from '../../helpers/server';

/**
 * A browser sends two cookies of one name only when they differ in Path or
 * Domain, which the `Cookie` header does not carry: the server cannot tell
 * the site's own session cookie from one a sibling subdomain planted (and a
 * longer Path is even sent first). Socket and HTTP read cookies with one
 * parser and one rule: a name sent twice with different values is absent,
 * so duplicate session cookies are no session, on both transports alike.
 */
function api(runtime: Runtime) {
  return new Elysia({ name: 'duplicate-cookie-api' }).use(identity(runtime)).get('/api/whoami', ({ user, request }) => ({
    username: user.isAuthenticated ? user.username : '(anonymous)',
    cookies: request.cookies,
  }));
}

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

async function overSocket(cookie: string): Promise<string> {
  const ws = await server.open({ cookie });
  const who = (await ws.ok('query', 'probe.whoami')).data;
  await ws.close();
  return who.isAuthenticated ? who.username : '(anonymous)';
}

async function overHttp(cookie: string): Promise<{ username: string; cookies: Record<string, string> }> {
  return (await (await fetch(`${server.url}/api/whoami`, { headers: { cookie } })).json()) as {
    username: string;
    cookies: Record<string, string>;
  };
}

describe('duplicate session cookies', () => {
  test('two different session cookies are no session on the socket and over HTTP, in either order', async () => {
    server = await startTestServer({}, { http: api });
    const alice = await server.userWithSession('alice');
    const mallory = await server.userWithSession('mallory');
    for (const cookie of [
      `${alice.cookie}; ${mallory.cookie}`,
      `${mallory.cookie}; ${alice.cookie}`,
      `${alice.cookie}; theme=dark; ${mallory.cookie}`,
    ]) {
      expect(await overSocket(cookie)).toBe('(anonymous)');
      expect((await overHttp(cookie)).username).toBe('(anonymous)');
    }
  });

  test('the same cookie sent twice is not ambiguous: both transports see alice', async () => {
    server = await startTestServer({}, { http: api });
    const alice = await server.userWithSession('alice');
    const cookie = `${alice.cookie}; ${alice.cookie}`;
    expect(await overSocket(cookie)).toBe('alice');
    expect((await overHttp(cookie)).username).toBe('alice');
  });

  test('handlers see the same cookies over HTTP as the socket mirror holds: an ambiguous name is absent', async () => {
    server = await startTestServer({}, { http: api });
    const header = 'theme=dark; pref=a; pref=b; lang=en';
    expect((await overHttp(header)).cookies).toEqual({ theme: 'dark', lang: 'en' });
    expect(Object.fromEntries(readCookieHeader(header))).toEqual({ theme: 'dark', lang: 'en' });
  });
});

describe('readCookieHeader', () => {
  test('decodes like Bun.CookieMap and drops every name sent with two different values', () => {
    expect([...readCookieHeader('a=1; b=%20x; a=2; c=3; c=3')]).toEqual([
      ['b', ' x'],
      ['c', '3'],
    ]);
    expect([...readCookieHeader(null)]).toEqual([]);
    expect([...readCookieHeader('')]).toEqual([]);
  });
});
