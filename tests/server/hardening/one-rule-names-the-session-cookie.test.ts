import { afterEach, describe, expect, test } from 'bun:test';
import { Elysia } from 'elysia';
import { identity, type StatehouseConfigInput } from '../../../server';
import { validateSessionToken } from '../../../server/auth/session';
import type { Runtime } from '../../../server/runtime';
import { startTestServer, type TestServer } from '../../helpers/server';

/**
 * `auth.secureCookies` (AUTH_SECURE_COOKIES), when set, decides the session
 * cookie's name for every reader and writer: the socket upgrade, the cookie
 * endpoints and the HTTP identity plugin. With the `__Host-` name in force a
 * plain `statehouse_session` cookie, which any `http://` response or sibling
 * subdomain can plant, is never accepted.
 */
function api(runtime: Runtime) {
  return new Elysia({ name: 'cookie-name-api' })
    .use(identity(runtime))
    .get('/api/whoami', ({ user }) => ({ username: user.username, isAuthenticated: user.isAuthenticated }));
}

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

const PLAIN = 'statehouse_session';
const PREFIXED = '__Host-statehouse_session';

async function start(config: StatehouseConfigInput): Promise<{ host: string }> {
  server = await startTestServer(config, { http: api });
  return { host: new URL(server.url).host };
}

/** A first session write hands out a ticket; redeems it and returns the `Set-Cookie` header. */
async function writeAndRedeem(headers: Record<string, string>, origin: string): Promise<string> {
  const ws = await server.open({ headers, origin });
  const written = await ws.ok('mutation', 'probe.sessionSet', { key: 'k', value: 'v' });
  const ticket = written.actions.find((a: any) => a.type === 'syncCookieThenNavigate').ticket;
  await ws.close();
  const res = await fetch(`${server.url}/auth/session`, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', ...headers },
    body: JSON.stringify({ ticket }),
  });
  expect(res.status).toBe(204);
  return res.headers.get('set-cookie') ?? '';
}

async function whoOverSocket(cookie: string, headers: Record<string, string> = {}, origin?: string): Promise<string> {
  const ws = await server.open({ cookie, headers, origin });
  const who = (await ws.ok('query', 'probe.whoami')).data;
  await ws.close();
  return who.isAuthenticated ? who.username : '(anonymous)';
}

async function whoOverHttp(cookie: string, headers: Record<string, string> = {}): Promise<string> {
  const who = (await (await fetch(`${server.url}/api/whoami`, { headers: { cookie, ...headers } })).json()) as {
    username: string;
    isAuthenticated: boolean;
  };
  return who.isAuthenticated ? who.username : '(anonymous)';
}

describe('auth.secureCookies: true over plain http (a TLS proxy that is not trusted)', () => {
  test('the cookie endpoint sets the __Host- name, and the socket and HTTP read that name', async () => {
    await start({ auth: { secureCookies: true } });
    const setCookie = await writeAndRedeem({}, server.url);
    expect(setCookie.startsWith(`${PREFIXED}=`)).toBe(true);
    expect(setCookie).toContain('Secure');
    const bob = await server.userWithSession('bob');
    expect(await whoOverSocket(`${PREFIXED}=${bob.token}`)).toBe('bob');
    expect(await whoOverHttp(`${PREFIXED}=${bob.token}`)).toBe('bob');
  });

  test('a planted plain cookie is refused on the socket and over HTTP, even next to no prefixed one', async () => {
    await start({ auth: { secureCookies: true } });
    const mallory = await server.userWithSession('mallory');
    expect(await whoOverSocket(`${PLAIN}=${mallory.token}`)).toBe('(anonymous)');
    expect(await whoOverHttp(`${PLAIN}=${mallory.token}`)).toBe('(anonymous)');
    // Next to the user's own prefixed cookie, the planted one changes nothing either.
    const alice = await server.userWithSession('alice');
    const both = `${PLAIN}=${mallory.token}; ${PREFIXED}=${alice.token}`;
    expect(await whoOverSocket(both)).toBe('alice');
    expect(await whoOverHttp(both)).toBe('alice');
  });

  test('POST /auth/logout ends the session of the __Host- cookie and expires it', async () => {
    await start({ auth: { secureCookies: true } });
    const alice = await server.userWithSession('alice');
    const res = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: server.url, 'sec-fetch-site': 'same-origin', cookie: `${PREFIXED}=${alice.token}` },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toContain(`${PREFIXED}=;`);
    expect(
      (await validateSessionToken(server.statehouse.runtime.sessions, server.statehouse.runtime.sessionSettings, alice.token)).session,
    ).toBeNull();
  });
});

describe('auth.secureCookies: false behind a trusted https proxy', () => {
  test('the plain name is set and read on the socket and over HTTP; a __Host- cookie is not', async () => {
    const { host } = await start({ auth: { secureCookies: false }, trustedProxies: ['127.0.0.1'] });
    const https = { 'x-forwarded-proto': 'https' };
    const origin = `https://${host}`;
    const setCookie = await writeAndRedeem(https, origin);
    expect(setCookie.startsWith(`${PLAIN}=`)).toBe(true);
    expect(setCookie).not.toContain('Secure');
    const bob = await server.userWithSession('bob');
    expect(await whoOverSocket(`${PLAIN}=${bob.token}`, https, origin)).toBe('bob');
    expect(await whoOverHttp(`${PLAIN}=${bob.token}`, https)).toBe('bob');
    expect(await whoOverSocket(`${PREFIXED}=${bob.token}`, https, origin)).toBe('(anonymous)');
    expect(await whoOverHttp(`${PREFIXED}=${bob.token}`, https)).toBe('(anonymous)');
  });
});

describe('auth.secureCookies unset', () => {
  test('the request decides: plain over http, __Host- behind a trusted https proxy, on both transports', async () => {
    const { host } = await start({ trustedProxies: ['127.0.0.1'] });
    const bob = await server.userWithSession('bob');
    expect(await whoOverSocket(`${PLAIN}=${bob.token}`)).toBe('bob');
    expect(await whoOverHttp(`${PLAIN}=${bob.token}`)).toBe('bob');
    const https = { 'x-forwarded-proto': 'https' };
    expect(await whoOverSocket(`${PREFIXED}=${bob.token}`, https, `https://${host}`)).toBe('bob');
    expect(await whoOverHttp(`${PREFIXED}=${bob.token}`, https)).toBe('bob');
    expect(await whoOverSocket(`${PLAIN}=${bob.token}`, https, `https://${host}`)).toBe('(anonymous)');
    expect(await whoOverHttp(`${PLAIN}=${bob.token}`, https)).toBe('(anonymous)');
  });
});
