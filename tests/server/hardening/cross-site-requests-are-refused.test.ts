import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { authTokens, sessions } from '../../../db/schema';
import { createUser } from '../../../server/auth/users';
import { TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import { upgradeStatus } from '../../helpers/socket-client';

let server: TestServer;
let host: string;
beforeAll(async () => {
  server = await startTestServer({ allowedOrigins: ['https://app.example'], rateLimit: { ipBurst: 1000 } });
  host = new URL(server.url).host;
  const created = await createUser(
    server.db.db,
    { username: 'alice', password: 'correct horse battery' },
    { hashing: TEST_HASHING, rules: TEST_RULES },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
});
afterAll(async () => {
  await server.stop();
});

/** Origins that are not this site (plain http on 127.0.0.1) nor in `allowedOrigins`. */
function foreignOrigins(): string[] {
  const [hostname, port] = host.split(':') as [string, string];
  return [
    'https://evil.example',
    'null',
    'file://',
    `https://${host}`,
    `http://${hostname}:${Number(port) + 1}`,
    `http://localhost:${port}`,
    `http://${host}.evil.example`,
    `http://evil.example?${host}`,
    `http://${hostname}`,
    'https://app.example.evil.example',
    'http://app.example',
    'https://app.example:444',
    `HTTP://${host.toUpperCase()}x`,
  ];
}

describe('the WebSocket upgrade', () => {
  test('is refused with 403 from a foreign origin, a missing one or a lookalike, and opens no connection', async () => {
    for (const origin of foreignOrigins()) {
      expect(`${origin} → ${await upgradeStatus(server.url, { origin })}`).toBe(`${origin} → 403`);
    }
    expect(await upgradeStatus(server.url, {})).toBe(403);
    expect(server.statehouse.runtime.registry.sizes().connections).toBe(0);
  });

  test('forwarded headers from an untrusted peer cannot make a foreign origin look like ours', async () => {
    const status = await upgradeStatus(server.url, {
      origin: 'https://evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '203.0.113.9',
    });
    expect(status).toBe(403);
  });

  test('is accepted from this site and from an origin on the allow-list', async () => {
    for (const origin of [server.url, 'https://app.example']) {
      const ws = await server.open({ origin });
      expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
      await ws.close();
    }
  });
});

describe('POST /auth/session (the cookie exchange)', () => {
  async function freshTicket(): Promise<string> {
    const ws = await server.open();
    try {
      const reply = await ws.call('mutation', 'auth.login', { loginId: 'alice', password: 'correct horse battery' });
      return (reply.result?.data as { actions: { ticket: string }[] }).actions[0]!.ticket;
    } finally {
      await ws.close();
    }
  }

  function post(ticket: string, headers: Record<string, string | null>) {
    const h: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries(headers)) if (v !== null) h[k] = v;
    return fetch(`${server.url}/auth/session`, { method: 'POST', headers: h, body: JSON.stringify({ ticket }) });
  }

  test('cross-origin, origin-less or cross-site requests get 403 and no cookie, and do not burn the ticket', async () => {
    const ticket = await freshTicket();
    const attempts: Record<string, string | null>[] = [
      ...foreignOrigins().map((origin) => ({ origin })),
      { origin: null },
      { origin: null, 'sec-fetch-site': 'same-origin' },
      { origin: server.url, 'sec-fetch-site': 'cross-site' },
      { origin: server.url, 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
      { origin: 'https://evil.example', 'x-forwarded-host': host, 'x-forwarded-proto': 'http' },
    ];
    for (const headers of attempts) {
      const res = await post(ticket, headers);
      expect(`${JSON.stringify(headers)} → ${res.status}`).toBe(`${JSON.stringify(headers)} → 403`);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    const [row] = await server.db.db.select().from(authTokens);
    expect(row?.usedAt).toBeNull();
    // The same ticket still works for its own tab.
    const ok = await post(ticket, { origin: server.url, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('set-cookie')).toStartWith('statehouse_session=');
  });

  test('a bad body is a 4xx without a cookie, never a 500', async () => {
    for (const body of [
      '',
      'null',
      '[]',
      '{"ticket":1}',
      '{"ticket":null}',
      '{',
      `{"ticket":"${'a'.repeat(2000)}"}`,
      '{"__proto__":{"ticket":"x"}}',
    ]) {
      const res = await fetch(`${server.url}/auth/session`, {
        method: 'POST',
        headers: { origin: server.url, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
  });

  test('POST /auth/logout from another site ends no session', async () => {
    const ticket = await freshTicket();
    const res = await post(ticket, { origin: server.url });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const before = (await server.db.db.select().from(sessions)).length;
    const attempts: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: server.url, 'sec-fetch-site': 'cross-site' },
      {},
    ];
    for (const headers of attempts) {
      const out = await fetch(`${server.url}/auth/logout`, { method: 'POST', headers: { cookie, ...headers } });
      expect(out.status).toBe(403);
      expect(out.headers.get('set-cookie')).toBeNull();
    }
    expect((await server.db.db.select().from(sessions)).length).toBe(before);
  });
});
