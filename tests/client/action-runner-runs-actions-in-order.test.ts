import { describe, expect, test } from 'bun:test';
import { createRoot } from 'solid-js';
import { createActionRunner, SESSION_SYNC_FAILED_MESSAGE, type ActionRunnerOptions } from '../../client/state/actions';
import { createToastStore, type Toast } from '../../client/state/toasts';
import type { ClientAction } from '../../server/state/protocol';
import { createFakeFetch, createFakeLocation, createMemoryStorage, type EventLog } from './browser-fakes';

const ORIGIN = 'http://app.test';

function setup(href = `${ORIGIN}/login`, overrides: Partial<ActionRunnerOptions> & { status?: number } = {}) {
  const log: EventLog = [];
  const errors: { error: unknown; action: ClientAction }[] = [];
  const [toasts, toastActions] = createRoot(() => createToastStore({ durationMs: 0 }));
  const fake = createFakeFetch(log, overrides.status ?? 204);
  const sessionStorage = createMemoryStorage('sessionStorage', log, { 'statehouse.tabId': 'tab-1' });
  const localStorage = createMemoryStorage('localStorage', log, { theme: 'dark', draft: 'x', 'cart.id': '7' });
  const runner = createActionRunner({
    toasts: toastActions,
    location: createFakeLocation(href, log),
    fetch: fake.fetch,
    sessionStorage,
    localStorage,
    onError: (error, action) => errors.push({ error, action }),
    ...overrides,
  });
  return { log, errors, toasts: toasts as readonly Toast[], fake, sessionStorage, localStorage, runner };
}

describe('createActionRunner', () => {
  test('runs the actions of a list in order', async () => {
    const { log, toasts, runner } = setup();
    const seen: string[] = [];
    runner.setNavigate((to) => seen.push(`router ${to}`));
    await runner.run([
      { type: 'toast', kind: 'info', message: 'first' },
      { type: 'navigate', to: '/notes' },
      { type: 'toast', kind: 'success', message: 'second' },
      { type: 'reload' },
    ]);
    expect(toasts.map((t) => t.message)).toEqual(['first', 'second']);
    expect(seen).toEqual(['router /notes']);
    expect(log).toEqual(['reload']);
  });

  test('a later list waits until the earlier one is done', async () => {
    const { log, runner } = setup();
    const first = runner.run([{ type: 'syncCookieThenNavigate', ticket: 't', to: '/a' }]);
    const second = runner.run([{ type: 'navigate', to: '/b' }]);
    await Promise.all([first, second]);
    expect(log).toEqual(['POST /auth/session', 'sessionStorage.clear', `assign ${ORIGIN}/a`, `assign ${ORIGIN}/b`]);
  });

  test('navigate goes through the registered router navigate, keeping replace', async () => {
    const { log, runner } = setup();
    const calls: unknown[] = [];
    runner.setNavigate((to, options) => calls.push([to, options]));
    await runner.run([{ type: 'navigate', to: '/notes?x=1#top', replace: true }]);
    expect(calls).toEqual([['/notes?x=1#top', { replace: true }]]);
    expect(log).toEqual([]);
  });

  test('navigate falls back to location.assign and location.replace without a router', async () => {
    const { log, runner } = setup();
    await runner.run([
      { type: 'navigate', to: '/a' },
      { type: 'navigate', to: '/b', replace: true },
    ]);
    expect(log).toEqual([`assign ${ORIGIN}/a`, `replace ${ORIGIN}/b`]);
  });

  test('navigate to another origin leaves the router alone', async () => {
    const { log, runner } = setup();
    const calls: string[] = [];
    runner.setNavigate((to) => calls.push(to));
    await runner.run([{ type: 'navigate', to: 'https://id.example/authorize' }]);
    expect(calls).toEqual([]);
    expect(log).toEqual(['assign https://id.example/authorize']);
  });

  test('the undo of setNavigate restores the location fallback', async () => {
    const { log, runner } = setup();
    const undo = runner.setNavigate(() => {});
    undo();
    await runner.run([{ type: 'navigate', to: '/a' }]);
    expect(log).toEqual([`assign ${ORIGIN}/a`]);
  });

  test('navigate refuses javascript: URLs and skips the rest of the list', async () => {
    const { log, errors, toasts, runner } = setup();
    await runner.run([
      { type: 'navigate', to: 'javascript:alert(1)' },
      { type: 'toast', kind: 'info', message: 'never' },
    ]);
    expect(log).toEqual([]);
    expect(toasts).toHaveLength(0);
    expect(errors.map((e) => e.action.type)).toEqual(['navigate']);
  });

  test('a toast action shows a toast of its kind', async () => {
    const { toasts, runner } = setup();
    await runner.run([{ type: 'toast', kind: 'warning', message: 'Careful' }]);
    expect(toasts).toEqual([expect.objectContaining({ kind: 'warning', message: 'Careful' })]);
  });
});

describe('syncCookieThenNavigate', () => {
  test('posts the ticket, then clears sessionStorage, then navigates to `to`', async () => {
    const { log, fake, sessionStorage, localStorage, runner } = setup();
    await runner.run([{ type: 'syncCookieThenNavigate', ticket: 'ticket-123', to: '/dashboard' }]);
    expect(log).toEqual(['POST /auth/session', 'sessionStorage.clear', `assign ${ORIGIN}/dashboard`]);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.url).toBe(`${ORIGIN}/auth/session`);
    expect(request?.body).toEqual({ ticket: 'ticket-123' });
    expect(request?.init.credentials).toBe('same-origin');
    expect(request?.init.method).toBe('POST');
    expect(sessionStorage.dump()).toEqual({});
    expect(localStorage.dump()).toEqual({ theme: 'dark', draft: 'x', 'cart.id': '7' });
  });

  test('with `to: null` it syncs the cookie in place: no navigation, sessionStorage kept', async () => {
    const { log, sessionStorage, runner } = setup(`${ORIGIN}/settings`);
    await runner.run([{ type: 'syncCookieThenNavigate', ticket: 't', to: null }]);
    expect(log).toEqual(['POST /auth/session']);
    expect(sessionStorage.dump()).toEqual({ 'statehouse.tabId': 'tab-1' });
  });

  test('an unsafe `to` falls back to a safe ?next= from the address bar', async () => {
    const { log, runner } = setup(`${ORIGIN}/login?next=${encodeURIComponent('/notes/4?tab=all')}`);
    await runner.run([{ type: 'syncCookieThenNavigate', ticket: 't', to: '//evil.example' }]);
    expect(log.at(-1)).toBe(`assign ${ORIGIN}/notes/4?tab=all`);
  });

  for (const next of ['//evil.example/x', 'javascript:alert(1)', 'https://evil.example/', '/\\evil.example', '/\nevil']) {
    test(`an unsafe ?next=${JSON.stringify(next)} falls back to /`, async () => {
      const { log, runner } = setup(`${ORIGIN}/login?next=${encodeURIComponent(next)}`);
      await runner.run([{ type: 'syncCookieThenNavigate', ticket: 't', to: 'javascript:alert(1)' }]);
      expect(log.at(-1)).toBe(`assign ${ORIGIN}/`);
    });
  }

  for (const to of ['//evil.example/x', 'javascript:alert(1)', 'https://evil.example/']) {
    test(`an unsafe to=${JSON.stringify(to)} falls back to ?next= or /`, async () => {
      const { log, runner } = setup(`${ORIGIN}/login?next=%2Fnotes`);
      await runner.run([{ type: 'syncCookieThenNavigate', ticket: 't', to }]);
      expect(log.at(-1)).toBe(`assign ${ORIGIN}/notes`);
    });
  }

  test('with an unsafe `to` and no ?next= it goes to /', async () => {
    const { log, runner } = setup(`${ORIGIN}/login`);
    await runner.run([{ type: 'syncCookieThenNavigate', ticket: 't', to: 'https://evil.example/' }]);
    expect(log.at(-1)).toBe(`assign ${ORIGIN}/`);
  });

  test('when the endpoint refuses, it shows an error toast and stays put', async () => {
    const { log, errors, toasts, sessionStorage, runner } = setup(`${ORIGIN}/login`, { status: 400 });
    await runner.run([
      { type: 'syncCookieThenNavigate', ticket: 'expired', to: '/dashboard' },
      { type: 'navigate', to: '/elsewhere' },
    ]);
    expect(log).toEqual(['POST /auth/session']);
    expect(sessionStorage.dump()).toEqual({ 'statehouse.tabId': 'tab-1' });
    expect(toasts).toEqual([expect.objectContaining({ kind: 'error', message: SESSION_SYNC_FAILED_MESSAGE })]);
    expect(errors.map((e) => e.action.type)).toEqual(['syncCookieThenNavigate']);
  });

  test('when the request itself fails, it shows an error toast and stays put', async () => {
    const { log, toasts, runner } = setup(`${ORIGIN}/login`, {
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await runner.run([{ type: 'syncCookieThenNavigate', ticket: 't', to: '/dashboard' }]);
    expect(log).toEqual([]);
    expect(toasts.map((t) => t.kind)).toEqual(['error']);
  });
});

describe('clearAuthThenNavigate', () => {
  test('posts to the logout endpoint, clears storage but the preserved keys, then replaces the page', async () => {
    const { log, fake, sessionStorage, localStorage, runner } = setup(`${ORIGIN}/settings`);
    await runner.run([{ type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: ['theme', 'cart.id'] }]);
    expect(log).toEqual(['POST /auth/logout', 'sessionStorage.clear', `replace ${ORIGIN}/login`]);
    expect(fake.requests[0]?.url).toBe(`${ORIGIN}/auth/logout`);
    expect(fake.requests[0]?.init.credentials).toBe('same-origin');
    expect(sessionStorage.dump()).toEqual({});
    expect(localStorage.dump()).toEqual({ theme: 'dark', 'cart.id': '7' });
  });

  test('an unsafe `to` goes to / instead', async () => {
    const { log, runner } = setup();
    await runner.run([{ type: 'clearAuthThenNavigate', to: '//evil.example', preserveStorageKeys: [] }]);
    expect(log.at(-1)).toBe(`replace ${ORIGIN}/`);
  });

  test('with no preserved keys, localStorage ends up empty', async () => {
    const { localStorage, runner } = setup();
    await runner.run([{ type: 'clearAuthThenNavigate', to: '/', preserveStorageKeys: [] }]);
    expect(localStorage.dump()).toEqual({});
  });

  test('still clears storage and leaves when the endpoint fails, and reports it', async () => {
    const { log, errors, localStorage, runner } = setup(`${ORIGIN}/settings`, { status: 500 });
    await runner.run([{ type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: [] }]);
    expect(log).toEqual(['POST /auth/logout', 'sessionStorage.clear', `replace ${ORIGIN}/login`]);
    expect(localStorage.dump()).toEqual({});
    expect(errors.map((e) => e.action.type)).toEqual(['clearAuthThenNavigate']);
  });
});

describe('defaults', () => {
  test('uses the global fetch and storage when none are given', async () => {
    const [, toastActions] = createRoot(() => createToastStore());
    const originalFetch = globalThis.fetch;
    const posted: string[] = [];
    globalThis.fetch = Object.assign(
      async (url: string | URL | Request) => {
        posted.push(String(url));
        return new Response(null, { status: 204 });
      },
      { preconnect: originalFetch.preconnect },
    ) as typeof fetch;
    try {
      globalThis.sessionStorage.setItem('statehouse.tabId', 'tab-x');
      globalThis.localStorage.setItem('keep', '1');
      globalThis.localStorage.setItem('drop', '1');
      const log: EventLog = [];
      const failures: unknown[] = [];
      const runner = createActionRunner({
        toasts: toastActions,
        location: createFakeLocation(`${ORIGIN}/settings`, log),
        onError: (error) => failures.push(error),
      });
      await runner.run([{ type: 'clearAuthThenNavigate', to: '/login', preserveStorageKeys: ['keep'] }]);
      expect(failures).toEqual([]);
      expect(posted).toEqual([`${ORIGIN}/auth/logout`]);
      expect(log).toEqual([`replace ${ORIGIN}/login`]);
      expect(globalThis.sessionStorage.length).toBe(0);
      expect(globalThis.localStorage.getItem('keep')).toBe('1');
      expect(globalThis.localStorage.getItem('drop')).toBeNull();
    } finally {
      globalThis.fetch = originalFetch;
      globalThis.localStorage.clear();
    }
  });
});
