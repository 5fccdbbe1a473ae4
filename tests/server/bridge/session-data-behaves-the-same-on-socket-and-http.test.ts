import { describe, expect, test } from 'bun:test';
import { createMemoryRateLimiter } from '../../../server/auth/rate-limit';
import { createSession, type SessionSettings } from '../../../server/auth/session';
import type { SessionStore } from '../../../server/auth/session-store';
import { SessionProxy } from '../../../server/bridge/session-proxy';
import { HttpSession } from '../../../server/http/http-request';
import { SESSION_BACKEND_NAMES, useSessionBackend } from '../../helpers/session-backends';

const SETTINGS: SessionSettings = { inactivityTimeoutMs: 60_000, renewalIntervalMs: 30_000, absoluteLifetimeMs: 600_000 };

describe.each(SESSION_BACKEND_NAMES)('session data: one store behind ctx.session and the HTTP session (%s backend)', (name) => {
  const store = useSessionBackend(name);

  /** `ctx.session` of a socket event bound to `sessionId` (or to none, creating one on the first write). */
  function socketSession(sessionId: string | null, written?: (sessionId: string, key: string) => void): SessionStore {
    let current = sessionId;
    return new SessionProxy({
      sessions: store.sessions,
      currentSessionId: () => current,
      ensureSession: async () => (current ??= (await createSession(store.sessions, SETTINGS, { userId: null })).session.id),
      written,
    });
  }

  /** `session` of an HTTP POST with the cookie of `sessionId` (or without one). */
  function httpSession(sessionId: string | null, written?: (sessionId: string, key: string) => void): SessionStore {
    const source = {
      written,
      sessions: store.sessions,
      sessionSettings: SETTINGS,
      writable: true,
      userAgent: 'test',
      ip: '127.0.0.1',
      limiter: createMemoryRateLimiter({ ipBurst: 100, ipPerMinute: 100, accountFreeFailures: 5 }),
      anonymousSessionBudget: { burst: 10, perMinute: 10 },
      setCookie() {},
    };
    return new HttpSession(source, sessionId);
  }

  /** The same steps on either transport, and what each step saw. */
  async function script(open: (sessionId: string | null) => SessionStore, sessionId: string | null) {
    const seen: unknown[] = [];
    const session = open(sessionId);
    seen.push(await session.get('missing'), await session.get('missing', 'fallback'), await session.has('missing'));
    await session.set('list', [1, { a: 'b' }]);
    const list = (await session.get<(number | { a: string })[]>('list'))!;
    // Changing what get() answered changes nothing stored or cached.
    list.push(2);
    (list[1] as { a: string }).a = 'changed';
    seen.push(await session.get('list'));
    await session.set('theme', 'dark');
    seen.push((await session.keys()).sort(), await session.has('theme'));
    await session.delete('theme');
    seen.push(await session.get('theme'), typeof session.id);
    // A later request of the same session reads what was written.
    const later = open(session.id);
    seen.push(await later.get('list'), (await later.keys()).sort());
    return seen;
  }

  test('for a signed-in session, both transports see the same values, copies and keys', async () => {
    const { session } = await createSession(store.sessions, SETTINGS, { userId: null });
    const socket = await script(socketSession, session.id);
    const { session: other } = await createSession(store.sessions, SETTINGS, { userId: null });
    const http = await script(httpSession, other.id);
    expect(http).toEqual(socket);
    expect(socket).toEqual([
      undefined,
      'fallback',
      false,
      [1, { a: 'b' }],
      ['list', 'theme'],
      true,
      undefined,
      'string',
      [1, { a: 'b' }],
      ['list'],
    ]);
  });

  test('both transports tell what shares the session’s reads of every key written or deleted', async () => {
    for (const open of [socketSession, httpSession]) {
      const { session } = await createSession(store.sessions, SETTINGS, { userId: null });
      const told: [string, string][] = [];
      const data = open(session.id, (sessionId, key) => told.push([sessionId, key]));
      await data.set('language', 'ar');
      await data.delete('theme');
      expect(told).toEqual([
        [session.id, 'language'],
        [session.id, 'theme'],
      ]);
    }
  });

  test('for a visitor without a session, the first write creates one on both transports', async () => {
    const socket = await script(socketSession, null);
    const http = await script(httpSession, null);
    expect(http).toEqual(socket);
    expect(socket[7]).toBe('string');
  });
});
