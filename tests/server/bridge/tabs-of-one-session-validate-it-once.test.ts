import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import type { SessionValidationResult } from '../../../server/auth/session';
import { writeSessionKey } from '../../../server/auth/session-data';
import { SharedValidations } from '../../../server/bridge/shared-validations';
import { LANGUAGE_SESSION_KEY } from '../../../server/i18n/negotiate';
import { startTestServer, type TestServer } from '../../helpers/server';
import { statementsDuring } from '../../helpers/statement-count';

const VALID: SessionValidationResult = { session: null, user: null };

/** A validation the test answers when it wants. */
function deferred(): { promise: Promise<SessionValidationResult>; answer: () => void } {
  let answer: () => void = () => {};
  const promise = new Promise<SessionValidationResult>((resolve) => {
    answer = () => resolve(VALID);
  });
  return { promise, answer };
}

describe('SharedValidations', () => {
  test('connections of one token share the validation under way and its answer until its bound', async () => {
    const shared = new SharedValidations();
    let started = 0;
    const query = deferred();
    const start = () => {
      started++;
      return query.promise;
    };
    const first = shared.validate('tok', 1_000, start, (at) => at + 500);
    expect(shared.validate('tok', 1_010, start, (at) => at + 500)).toBe(first);
    query.answer();
    expect((await first).until).toBe(1_500);
    expect(shared.validate('tok', 1_499, start, (at) => at + 500)).toBe(first);
    expect(started).toBe(1);
    // Past the first connection's bound: read again, never served longer.
    const later = shared.validate(
      'tok',
      1_500,
      () => Promise.resolve(VALID),
      (at) => at + 500,
    );
    expect(later).not.toBe(first);
    expect((await later).until).toBe(2_000);
  });

  test('a validation begun before an identity change is not shared after it', async () => {
    const shared = new SharedValidations();
    const before = deferred();
    const first = shared.validate(
      'tok',
      0,
      () => before.promise,
      (at) => at + 1_000,
    );
    shared.identityChanged();
    let startedAfter = 0;
    const second = shared.validate(
      'tok',
      1,
      () => {
        startedAfter++;
        return Promise.resolve(VALID);
      },
      (at) => at + 1_000,
    );
    expect(second).not.toBe(first);
    expect(startedAfter).toBe(1);
    before.answer();
    await first;
    // The old answer, arriving late, does not come back either.
    expect(
      shared.validate(
        'tok',
        2,
        () => Promise.resolve(VALID),
        (at) => at + 1_000,
      ),
    ).toBe(second);
  });

  test('a failed validation is not kept; stale answers are dropped by the sweep', async () => {
    const shared = new SharedValidations();
    const failed = shared.validate(
      'a',
      0,
      () => Promise.reject(new Error('database down')),
      (at) => at + 1_000,
    );
    await expect(failed).rejects.toThrow('database down');
    expect(shared.size).toBe(0);
    await shared.validate(
      'b',
      0,
      () => Promise.resolve(VALID),
      (at) => at + 1_000,
    );
    expect(shared.dropStale(999)).toBe(0);
    expect(shared.dropStale(1_000)).toBe(1);
    expect(shared.size).toBe(0);
  });
});

describe('tabs of one session on one server', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ languages: ['en', 'ar'] });
  });
  afterEach(async () => {
    await server.stop();
  });

  test('tabs that connect together read their session once and each sees its user', async () => {
    const alice = await server.userWithSession('alice');
    const tabs: Awaited<ReturnType<TestServer['open']>>[] = [];
    const reads = await statementsDuring(server.statehouse.runtime.db, /from "sessions"/i, async () => {
      tabs.push(...(await Promise.all(Array.from({ length: 6 }, () => server.open({ cookie: alice.cookie })))));
      const replies = await Promise.all(tabs.map((ws) => ws.ok('query', 'probe.whoami')));
      for (const reply of replies) expect(reply.data).toMatchObject({ userId: alice.userId, isAuthenticated: true });
    });
    expect(reads).toBe(1);
    for (const ws of tabs) await ws.close();
  });

  test('a tab that connects after its session was ended is refused, though another tab validated it a moment before', async () => {
    const alice = await server.userWithSession('alice');
    const first = await server.open({ cookie: alice.cookie });
    expect((await first.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(true);
    const other = await server.open({ cookie: alice.cookie });
    await other.ok('mutation', 'auth.logout');
    const late = await server.open({ cookie: alice.cookie });
    expect((await late.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    expect((await first.call('query', 'probe.secret')).error?.data.code).toBe('UNAUTHORIZED');
    for (const ws of [first, other, late]) await ws.close();
  });

  test('tabs that subscribe together read their session’s language once, and each starts in it', async () => {
    const alice = await server.userWithSession('alice');
    const first = await server.open({ cookie: alice.cookie });
    await first.ok('mutation', 'i18n.setLanguage', { language: 'ar' });
    const tabs: Awaited<ReturnType<TestServer['open']>>[] = [];
    const reads = await statementsDuring(server.statehouse.runtime.db, /from "session_data"/i, async () => {
      tabs.push(
        ...(await Promise.all(
          Array.from({ length: 6 }, () => server.open({ cookie: alice.cookie, headers: { 'accept-language': 'en' } })),
        )),
      );
      const pushes = await Promise.all(tabs.map((ws) => ws.subscribeState()));
      for (const push of pushes) expect(push.delta.i18n).toEqual({ language: 'ar', dir: 'rtl' });
    });
    expect(reads).toBe(1);
    for (const ws of [first, ...tabs]) await ws.close();
  });

  test('a language written on this process, by any event, reaches the next tab that subscribes', async () => {
    const alice = await server.userWithSession('alice');
    const first = await server.open({ cookie: alice.cookie });
    expect((await first.subscribeState()).delta.i18n.language).toBe('en');
    // Not through i18n.setLanguage: a plain session write of the key, as app code may make.
    await first.ok('mutation', 'probe.sessionSet', { key: LANGUAGE_SESSION_KEY, value: 'ar' });
    const next = await server.open({ cookie: alice.cookie });
    expect((await next.subscribeState()).delta.i18n.language).toBe('ar');
    for (const ws of [first, next]) await ws.close();
  });

  test('a language another process wrote and announced on the bus reaches the next tab that subscribes', async () => {
    const alice = await server.userWithSession('alice');
    const first = await server.open({ cookie: alice.cookie });
    expect((await first.subscribeState()).delta.i18n.language).toBe('en');
    const { runtime } = server.statehouse;
    const { sessionId } = alice;
    // What the other process does: write the key, then announce it.
    await writeSessionKey(runtime.sessions, sessionId, LANGUAGE_SESSION_KEY, 'ar');
    await runtime.bus.publish({ type: 'session-language', sessionId, language: 'ar' });
    const next = await server.open({ cookie: alice.cookie });
    expect((await next.subscribeState()).delta.i18n.language).toBe('ar');
    for (const ws of [first, next]) await ws.close();
  });
});
