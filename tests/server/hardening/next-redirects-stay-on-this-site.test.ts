import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createUser } from '../../../server/auth/users';
import { loginUrlWithNext, safeNextPath } from '../../../server/state/redirect';
import { TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';

/**
 * `?next=` values an attacker can put in a link to the login page. Every one
 * must fall back (to `null`, then the configured landing page): none may
 * leave this origin, whether as written, once decoded, or after the URL
 * parser normalises dot segments.
 */
const HOSTILE_NEXT = [
  'https://evil.example',
  'http://evil.example/notes',
  'HTTPS://evil.example',
  '//evil.example',
  '//evil.example/notes',
  '///evil.example',
  '////evil.example',
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '\\/evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'evil.example',
  'notes',
  '',
  ' /notes',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '/\u0000/evil.example',
  '/\u007f/evil.example',
  '/\u00a0/evil.example',
  '/\u2028/evil.example',
  // Dot segments the URL parser folds into a protocol-relative `//host`.
  '/..//evil.example',
  '/.//evil.example',
  '/a/..//evil.example',
  '/%2e%2e//evil.example',
  '/%2E//evil.example',
  '/./..//evil.example/notes',
  `/${'a'.repeat(3000)}`,
];

/** Hostile values percent-encoded as a link carries them (once, or twice). */
const ENCODED_NEXT = [
  '%2F%2Fevil.example',
  '%2f%2fevil.example',
  '%2F%5Cevil.example',
  '%5C%5Cevil.example',
  'https%3A%2F%2Fevil.example',
  'javascript%3Aalert(1)',
  '%2F..%2F%2Fevil.example',
  '%2F%09%2Fevil.example',
  '%252F%252Fevil.example',
  '/%2F%2E%2E%2F%2Fevil.example'.replace('/', '%2F'),
];

/** Values that are ordinary same-site paths and must pass unchanged. */
const SAFE_NEXT: [string, string][] = [
  ['/notes', '/notes'],
  ['/notes?page=2', '/notes?page=2'],
  ['/notes?page=2#top', '/notes?page=2#top'],
  ['/', '/'],
  ['/a/b/../c', '/a/c'],
  // Encoded slashes stay inside one path segment: still this site.
  ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ['/notes?next=//evil.example', '/notes?next=//evil.example'],
];

function leavesTheSite(path: string): boolean {
  const base = 'https://statehouse.example';
  return new URL(path, base).origin !== base;
}

describe('safeNextPath', () => {
  test.each(HOSTILE_NEXT.map((v) => [JSON.stringify(v), v]))('refuses %s', (_label, value) => {
    expect(safeNextPath(value)).toBeNull();
  });

  test.each(ENCODED_NEXT.map((v) => [v]))('refuses the decoded form of %s', (encoded) => {
    expect(safeNextPath(new URLSearchParams(`next=${encoded}`).get('next'))).toBeNull();
  });

  test.each(SAFE_NEXT)('keeps the same-site path %s', (value, expected) => {
    expect(safeNextPath(value)).toBe(expected);
  });

  test('whatever it returns never leaves the site, for any string', () => {
    const samples = [...HOSTILE_NEXT, ...SAFE_NEXT.map(([v]) => v)];
    const pieces = ['/', '\\', '.', '..', '%2e', '%2f', '%5c', 'evil.example', ':', '@', '?', '#', '\t', ' '];
    for (let i = 0; i < 5000; i++) {
      let s = '';
      const n = 1 + (i % 7);
      for (let j = 0; j < n; j++) s += pieces[(i * 31 + j * 17 + ((i >> j) & 7)) % pieces.length];
      samples.push(s, `/${s}`);
    }
    for (const value of samples) {
      const result = safeNextPath(value);
      if (result === null) continue;
      expect(result.startsWith('/')).toBe(true);
      expect(result.startsWith('//')).toBe(false);
      expect(leavesTheSite(result)).toBe(false);
    }
  });

  test('loginUrlWithNext never embeds a path that leaves the site', () => {
    expect(loginUrlWithNext('/login', '/..//evil.example')).toBe('/login');
    expect(loginUrlWithNext('/login', '/notes', '?page=2')).toBe('/login?next=%2Fnotes%3Fpage%3D2');
  });
});

describe('the login reply', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ rateLimit: { ipBurst: 10_000, ipPerMinute: 10_000 } });
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

  /** Logs in from a login page whose query is `query`; returns the `to` of the cookie sync. */
  async function loginFrom(query: string): Promise<string | null> {
    const ws = await server.open({ path: '/login', query });
    try {
      const reply = await ws.call('mutation', 'auth.login', { loginId: 'alice', password: 'correct horse battery' });
      const actions = (reply.result?.data as { actions: { type: string; to: string | null }[] }).actions;
      expect(actions[0]?.type).toBe('syncCookieThenNavigate');
      return actions[0]!.to;
    } finally {
      await ws.close();
    }
  }

  test('a hostile ?next= in the route mirror is ignored for the safe default', async () => {
    const queries = [
      ...HOSTILE_NEXT.filter((v) => v.length < 200).map((v) => `?next=${encodeURIComponent(v)}`),
      ...ENCODED_NEXT.map((v) => `?next=${v}`),
      '?next=//evil.example',
      '?next=/..//evil.example',
      '?next=https://evil.example&next=/notes',
    ];
    for (const query of queries) {
      expect(await loginFrom(query)).toBe('/');
    }
  }, 60_000);

  test('a same-site ?next= is honoured', async () => {
    expect(await loginFrom('?next=%2Fnotes%3Fpage%3D2')).toBe('/notes?page=2');
  });
});
