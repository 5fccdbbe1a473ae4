import { afterEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { Elysia } from 'elysia';
import { sessions } from '../../../db/schema';
import { writeSessionKey } from '../../../server/auth/session-data';
import {
  authedRoute,
  canRoute,
  groupRoute,
  currentRequest,
  currentSession,
  currentUser,
  identity,
  request as currentRequestProxy,
  requireLoginUser,
  siteProcessor,
  userHasPerm,
  withCurrent,
  staffRoute,
  superuserRoute,
  type StatehouseConfigInput,
} from '../../../server';
import type { Runtime } from '../../../server/runtime';
import { startTestServer, type TestServer } from '../../helpers/server';

/** Code a route calls that takes no argument: it reads the current identity, as code under a socket event does. */
async function whoIsCurrent() {
  return {
    username: currentUser().username,
    theme: await currentSession().get<string>('theme', 'light'),
    path: currentRequest().path,
    viaProxy: currentRequestProxy.query.get('q'),
    // Without a database argument: the current scope's is used.
    mayDelete: currentUser().isAuthenticated ? await userHasPerm(currentUser(), 'notes.delete_note') : false,
  };
}

function api(runtime: Runtime) {
  return new Elysia({ name: 'test-api' })
    .use(identity(runtime))
    .get('/api/whoami', ({ user, session, request }) => ({
      userId: user.id,
      username: user.username,
      isAuthenticated: user.isAuthenticated,
      sessionId: session.id,
      path: request.path,
      query: request.query.get('q'),
      method: request.method,
      eventPath: request.eventPath,
      languageCode: request.languageCode,
    }))
    .get('/api/session', async ({ session, request }) => ({
      theme: await session.get<string>('theme', 'light'),
      language: await request.language(),
    }))
    .get('/api/context', async ({ request }) => ({ before: request.context, after: await request.loadContext() }))
    .get('/api/private', ({ user }) => ({ hello: user.username }), { beforeHandle: authedRoute() })
    .get('/api/delete-check', ({ user }) => ({ allowed: user.username }), { beforeHandle: canRoute('notes.delete_note') })
    .get('/api/editors', async ({ auth }) => ({ editor: await auth.hasGroup('editors') }))
    .get('/api/drafts', ({ user }) => ({ drafts: user.username }), { beforeHandle: groupRoute('editors') })
    .get('/api/staff', ({ user }) => ({ staff: user.username }), { beforeHandle: staffRoute() })
    .get('/api/root', ({ user }) => ({ root: user.username }), { beforeHandle: superuserRoute() })
    .post('/api/echo', ({ user, body }) => ({ by: user.username, body }))
    .post('/api/theme', async ({ session, body }) => {
      await session.set('theme', (body as { theme: string }).theme);
      return { sessionId: session.id, theme: await session.get('theme') };
    })
    .delete('/api/theme', async ({ session }) => {
      await session.delete('theme');
      return { theme: await session.get('theme', 'light') };
    })
    .get('/api/theme-by-get', async ({ session }) => {
      try {
        await session.set('theme', 'dark');
        return { written: true };
      } catch (error) {
        return { written: false, error: (error as Error).name, message: (error as Error).message };
      }
    })
    .delete('/api/thing', ({ user }) => ({ deletedBy: user.username }), { beforeHandle: authedRoute() })
    .get('/api/current', withCurrent(whoIsCurrent))
    .get('/api/current-unwrapped', whoIsCurrent)
    .post('/api/current-theme', ({ auth, body }) =>
      auth.runAsCurrent(async () => {
        requireLoginUser();
        await currentSession().set('theme', (body as { theme: string }).theme);
        return { theme: await currentSession().get('theme') };
      }),
    );
}

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

async function start(config: StatehouseConfigInput = {}): Promise<TestServer> {
  return startTestServer({ languages: ['en', 'ar'], ...config }, { http: api });
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers });
}

describe('identity over HTTP', () => {
  test('an HTTP route sees the same user and session as the socket for the same cookie', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    const overSocket = (await ws.ok('query', 'probe.whoami')).data;
    const overHttp = await (await get('/api/whoami?q=x', { cookie: alice.cookie })).json();
    expect(overHttp).toMatchObject({ userId: overSocket.userId, username: 'alice', isAuthenticated: true, sessionId: alice.sessionId });
    expect(overHttp).toMatchObject({ path: '/api/whoami', query: 'x', method: 'GET', eventPath: '/api/whoami' });
    await ws.close();
  });

  test('without a cookie, or with a forged one, the user is anonymous', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const [id] = alice.token.split('.');
    for (const headers of [{}, { cookie: `statehouse_session=${id}.${'a'.repeat(32)}` }] as Record<string, string>[]) {
      expect(await (await get('/api/whoami', headers)).json()).toMatchObject({ userId: null, isAuthenticated: false, sessionId: null });
    }
  });

  test('a session ended over the socket is anonymous over HTTP at once', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.ok('mutation', 'auth.logout');
    expect((await (await get('/api/whoami', { cookie: alice.cookie })).json()).isAuthenticated).toBe(false);
    await ws.close();
  });

  test('session data written over the socket reads the same over HTTP; the language follows the session', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.ok('mutation', 'probe.sessionSet', { key: 'theme', value: 'dark' });
    await writeSessionKey(server.statehouse.runtime.sessions, alice.sessionId, 'language', 'ar');
    const res = await get('/api/session', { cookie: alice.cookie, 'accept-language': 'en' });
    expect(await res.json()).toEqual({ theme: 'dark', language: 'ar' });
    await ws.close();
  });

  test('the request negotiates its language from cookie and Accept-Language', async () => {
    server = await start();
    expect((await (await get('/api/whoami', { 'accept-language': 'fr, ar-EG;q=0.8' })).json()).languageCode).toBe('ar');
    expect((await (await get('/api/whoami', { 'accept-language': 'ar', cookie: 'statehouse_language=en' })).json()).languageCode).toBe(
      'en',
    );
  });

  test('context processors run for an HTTP route only when it asks', async () => {
    server = await start({ siteName: 'Acme', contextProcessors: [siteProcessor] });
    expect(await (await get('/api/context')).json()).toEqual({ before: {}, after: { SITE_NAME: 'Acme' } });
  });
});

describe('route guards', () => {
  test('authedRoute(): 401 JSON when anonymous, the handler when signed in', async () => {
    server = await start();
    const anonymous = await get('/api/private');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/json');
    expect(await anonymous.json()).toEqual({ error: 'unauthorized', message: 'Please sign in to continue.' });
    const alice = await server.userWithSession('alice');
    expect(await (await get('/api/private', { cookie: alice.cookie })).json()).toEqual({ hello: 'alice' });
  });

  test('refusals speak the request’s language', async () => {
    server = await start();
    const res = await get('/api/private', { 'accept-language': 'ar' });
    expect((await res.json()).message).toBe('يُرجى تسجيل الدخول للمتابعة.');
  });

  test('canRoute(): 401 anonymous, 403 without the permission, through with it or as superuser', async () => {
    server = await start();
    const bob = await server.userWithSession('bob');
    const alice = await server.userWithSession('alice', { perms: ['notes.delete_note'] });
    const root = await server.userWithSession('root', { superuser: true });
    expect((await get('/api/delete-check')).status).toBe(401);
    const forbidden = await get('/api/delete-check', { cookie: bob.cookie });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ error: 'forbidden', message: 'You do not have permission to do that.' });
    expect(await (await get('/api/delete-check', { cookie: alice.cookie })).json()).toEqual({ allowed: 'alice' });
    expect(await (await get('/api/delete-check', { cookie: root.cookie })).json()).toEqual({ allowed: 'root' });
  });

  test('auth.hasGroup() over HTTP: members and superusers pass', async () => {
    server = await start();
    const member = await server.userWithSession('member', { groups: ['editors'] });
    const other = await server.userWithSession('other');
    const root = await server.userWithSession('root', { superuser: true });
    expect(await (await get('/api/editors', { cookie: member.cookie })).json()).toEqual({ editor: true });
    expect(await (await get('/api/editors', { cookie: other.cookie })).json()).toEqual({ editor: false });
    expect(await (await get('/api/editors', { cookie: root.cookie })).json()).toEqual({ editor: true });
    expect(await (await get('/api/editors')).json()).toEqual({ editor: false });
  });

  test('groupRoute(), staffRoute(), superuserRoute(): 401 anonymous, 403 JSON without, through with', async () => {
    server = await start();
    const member = await server.userWithSession('member', { groups: ['editors'] });
    const staff = await server.userWithSession('staff', { staff: true });
    const root = await server.userWithSession('root', { superuser: true });
    const rootNotStaff = await server.userWithSession('root-not-staff', { superuser: true, staff: false });
    const plain = await server.userWithSession('plain');
    const status = async (path: string, cookie?: string) => (await get(path, cookie ? { cookie } : {})).status;
    for (const path of ['/api/drafts', '/api/staff', '/api/root']) expect(await status(path)).toBe(401);

    expect(await (await get('/api/drafts', { cookie: member.cookie })).json()).toEqual({ drafts: 'member' });
    expect(await status('/api/drafts', root.cookie)).toBe(200);
    const refused = await get('/api/drafts', { cookie: plain.cookie });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'forbidden', message: 'You do not have permission to do that.' });

    expect(await (await get('/api/staff', { cookie: staff.cookie })).json()).toEqual({ staff: 'staff' });
    expect(await status('/api/staff', root.cookie)).toBe(200);
    // As Django's admin: a superuser who is not staff is not let in.
    expect(await status('/api/staff', rootNotStaff.cookie)).toBe(403);
    expect(await status('/api/staff', plain.cookie)).toBe(403);

    expect(await (await get('/api/root', { cookie: root.cookie })).json()).toEqual({ root: 'root' });
    expect(await status('/api/root', staff.cookie)).toBe(403);
  });

  test('every 403 is reported to hooks.onPermissionDenied with the HTTP path; a 401 is not', async () => {
    const denied: { perm: string; userId: number | null; path: string }[] = [];
    server = await start({ hooks: { onPermissionDenied: (info) => void denied.push(info) } });
    const plain = await server.userWithSession('plain');
    await get('/api/delete-check');
    expect(denied).toEqual([]);
    for (const path of ['/api/delete-check', '/api/drafts', '/api/staff', '/api/root']) await get(path, { cookie: plain.cookie });
    expect(denied).toEqual([
      { perm: 'notes.delete_note', userId: plain.userId, path: '/api/delete-check' },
      { perm: 'group:editors', userId: plain.userId, path: '/api/drafts' },
      { perm: 'staff', userId: plain.userId, path: '/api/staff' },
      { perm: 'superuser', userId: plain.userId, path: '/api/root' },
    ]);
  });
});

describe('session writes over HTTP', () => {
  function send(method: 'POST' | 'DELETE', cookie: string | null, body?: unknown): Promise<Response> {
    return fetch(`${server.url}/api/theme`, {
      method,
      headers: { origin: server.url, 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  test('a POST writes a key of the caller’s session, which the socket reads; a DELETE removes it', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const res = await send('POST', alice.cookie, { theme: 'dark' });
    expect(await res.json()).toEqual({ sessionId: alice.sessionId, theme: 'dark' });
    expect(res.headers.get('set-cookie')).toBeNull();
    const ws = await server.open({ cookie: alice.cookie });
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'theme' })).data).toBe('dark');
    expect(await (await send('DELETE', alice.cookie)).json()).toEqual({ theme: 'light' });
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'theme' })).data).toBeNull();
    await ws.close();
  });

  test('a GET cannot write: SessionDataError, and nothing is stored', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const res = await get('/api/theme-by-get', { cookie: alice.cookie });
    expect(await res.json()).toMatchObject({ written: false, error: 'SessionDataError' });
    expect(await (await get('/api/session', { cookie: alice.cookie })).json()).toMatchObject({ theme: 'light' });
  });

  test('a visitor’s first write creates an anonymous session and sets its HttpOnly cookie', async () => {
    server = await start();
    const res = await send('POST', null, { theme: 'dark' });
    const { sessionId } = await res.json();
    expect(sessionId).toEqual(expect.any(String));
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toStartWith('statehouse_session=');
    expect(setCookie).toContain('HttpOnly');
    const cookie = setCookie.split(';')[0]!;
    expect(await (await get('/api/whoami', { cookie })).json()).toMatchObject({ sessionId, isAuthenticated: false });
    expect(await (await get('/api/session', { cookie })).json()).toMatchObject({ theme: 'dark' });
    const ws = await server.open({ cookie });
    expect((await ws.ok('query', 'probe.sessionGet', { key: 'theme' })).data).toBe('dark');
    await ws.close();
  });

  test('a cross-origin POST writes nothing', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const res = await fetch(`${server.url}/api/theme`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', cookie: alice.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ theme: 'dark' }),
    });
    expect(res.status).toBe(403);
    expect(await (await get('/api/session', { cookie: alice.cookie })).json()).toMatchObject({ theme: 'light' });
  });
});

describe('unsafe methods need an allowed Origin', () => {
  function post(headers: Record<string, string>): Promise<Response> {
    return fetch(`${server.url}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ n: 1 }),
    });
  }

  test('a same-origin POST goes through with the caller’s identity', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const res = await post({ origin: server.url, cookie: alice.cookie });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ by: 'alice', body: { n: 1 } });
  });

  test('a cross-origin or Origin-less POST is refused with 403, even with a valid cookie', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    for (const headers of [
      { origin: 'https://evil.example', cookie: alice.cookie },
      { cookie: alice.cookie },
      { origin: 'null', cookie: alice.cookie },
    ] as Record<string, string>[]) {
      const res = await post(headers);
      expect(res.status).toBe(403);
      expect((await res.json()).error).toBe('forbidden_origin');
    }
    const del = await fetch(`${server.url}/api/thing`, {
      method: 'DELETE',
      headers: { origin: 'https://evil.example', cookie: alice.cookie },
    });
    expect(del.status).toBe(403);
  });

  test('an origin on allowedOrigins may POST; a cross-origin GET is not refused', async () => {
    server = await start({ allowedOrigins: ['https://app.example'] });
    expect((await post({ origin: 'https://app.example' })).status).toBe(200);
    expect((await get('/api/whoami', { origin: 'https://evil.example' })).status).toBe(200);
  });

  test('a refused request does not touch the session (no renewal)', async () => {
    server = await start();
    server.statehouse.runtime.sessionSettings.renewalIntervalMs = 1;
    const alice = await server.userWithSession('alice');
    const [before] = await server.db.db.select().from(sessions).where(eq(sessions.id, alice.sessionId));
    await Bun.sleep(5);
    expect((await post({ origin: 'https://evil.example', cookie: alice.cookie })).status).toBe(403);
    const [after] = await server.db.db.select().from(sessions).where(eq(sessions.id, alice.sessionId));
    expect(after!.lastVerifiedAt).toBe(before!.lastVerifiedAt);
    // The same request from the site itself does renew it.
    expect((await post({ origin: server.url, cookie: alice.cookie })).status).toBe(200);
    const [renewed] = await server.db.db.select().from(sessions).where(eq(sessions.id, alice.sessionId));
    expect(renewed!.lastVerifiedAt).toBeGreaterThan(before!.lastVerifiedAt);
  });
});

describe('the current identity in HTTP routes (withCurrent)', () => {
  test("a wrapped route and what it calls read the route's user, session and request through the accessors", async () => {
    server = await start();
    const alice = await server.userWithSession('alice', { perms: ['notes.delete_note'] });
    await writeSessionKey(server.statehouse.runtime.sessions, alice.sessionId, 'theme', 'dark');
    const res = await get('/api/current?q=hello', { cookie: alice.cookie });
    expect(await res.json()).toEqual({ username: 'alice', theme: 'dark', path: '/api/current', viaProxy: 'hello', mayDelete: true });
    // Unwrapped, a route pays nothing and the accessors answer as outside any event.
    const plain = await get('/api/current-unwrapped?q=hello', { cookie: alice.cookie });
    expect(await plain.json()).toEqual({ username: '', theme: 'light', path: '/', viaProxy: null, mayDelete: false });
  });

  test('auth.runAsCurrent does the same for a part of a handler: session writes persist, requireLoginUser() refuses the anonymous', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const post = (cookie?: string) =>
      fetch(`${server.url}/api/current-theme`, {
        method: 'POST',
        headers: { origin: server.url, 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ theme: 'dark' }),
      });
    expect(await (await post(alice.cookie)).json()).toEqual({ theme: 'dark' });
    expect(await (await get('/api/session', { cookie: alice.cookie })).json()).toMatchObject({ theme: 'dark' });
    expect((await post()).status).toBeGreaterThanOrEqual(400);
  });
});
