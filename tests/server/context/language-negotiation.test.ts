import { afterEach, describe, expect, test } from 'bun:test';
import {
  CATALOGS,
  createAppRouter,
  directionOf,
  LANGUAGE_DIRECTIONS,
  matchLanguage,
  messagesFor,
  negotiateLanguage,
  parseAcceptLanguage,
  publicProcedure,
  router,
  authed,
  type StatehouseConfigInput,
} from '../../../server';
import { writeSessionKey } from '../../../server/auth/session-data';
import { startTestServer, type TestServer } from '../../helpers/server';
import { waitFor } from '../../helpers/wait-for';

describe('parseAcceptLanguage', () => {
  test.each([
    ['ar-EG,en;q=0.5', ['ar-EG', 'en']],
    ['en;q=0.5, ar;q=0.9, fr', ['fr', 'ar', 'en']],
    ['de;q=0, en', ['en']],
    ['*, en;q=0.1', ['en']],
    ['en;q=abc, ar', ['ar']],
    ['', []],
    ['en-US , ar', ['en-US', 'ar']],
  ])('%p → %p', (header, expected) => {
    expect(parseAcceptLanguage(header)).toEqual(expected);
  });
});

describe('matchLanguage', () => {
  test.each([
    ['ar-EG', ['en', 'ar'], 'ar'],
    ['AR', ['en', 'ar'], 'ar'],
    ['pt', ['en', 'pt-br'], 'pt-br'],
    ['pt-BR', ['en', 'pt-br'], 'pt-br'],
    ['fr', ['en', 'ar'], null],
    [42, ['en'], null],
  ] as const)('%p among %p → %p', (tag, languages, expected) => {
    expect(matchLanguage(tag, languages)).toBe(expected);
  });
});

describe('negotiateLanguage: cookie > session > Accept-Language > default', () => {
  const languages = ['en', 'ar'];
  test.each([
    [{ cookie: 'ar', session: 'en', acceptLanguage: 'en' }, 'ar'],
    [{ cookie: 'fr', session: 'ar', acceptLanguage: 'en' }, 'ar'],
    [{ session: 'ar', acceptLanguage: 'en' }, 'ar'],
    [{ session: 'de', acceptLanguage: 'en;q=0.2, ar-SA;q=0.8' }, 'ar'],
    [{ acceptLanguage: 'fr, de' }, 'en'],
    [{}, 'en'],
    [{ session: 12 }, 'en'],
  ])('%p → %p', (sources, expected) => {
    expect(negotiateLanguage(languages, sources)).toBe(expected);
  });

  test('the default is the first configured language', () => {
    expect(negotiateLanguage(['ar', 'en'], { acceptLanguage: 'fr' })).toBe('ar');
  });

  test('a header answered before answers the same, for each list of languages, past the remembered ones too', () => {
    const english = ['en', 'fr'];
    const arabic = ['ar', 'fr'];
    for (let round = 0; round < 2; round++) {
      expect(negotiateLanguage(english, { acceptLanguage: 'fr-CA, ar;q=0.9' })).toBe('fr');
      expect(negotiateLanguage(arabic, { acceptLanguage: 'de, ar;q=0.9' })).toBe('ar');
      expect(negotiateLanguage(english, { acceptLanguage: 'de, ar;q=0.9' })).toBe('en');
    }
    // More distinct headers than are remembered: each still gets its own answer.
    for (let i = 0; i < 600; i++) {
      const header = i % 2 === 0 ? `x-${i}, fr;q=0.5` : `x-${i}`;
      expect(negotiateLanguage(english, { acceptLanguage: header })).toBe(i % 2 === 0 ? 'fr' : 'en');
    }
  });
});

describe('catalogs', () => {
  test('Arabic has every English key, and is right to left', () => {
    expect(Object.keys(CATALOGS.ar!).sort()).toEqual(Object.keys(CATALOGS.en!).sort());
    expect(LANGUAGE_DIRECTIONS).toEqual({ en: 'ltr', ar: 'rtl' });
    expect(directionOf('ar-EG')).toBe('rtl');
    expect(directionOf('he')).toBe('rtl');
    expect(directionOf('en-GB')).toBe('ltr');
  });

  test('a region falls back to its base language, an unknown language to English', () => {
    expect(messagesFor('ar-EG').signIn).toBe(CATALOGS.ar!.signIn);
    expect(messagesFor('fr').signIn).toBe('Sign in');
    expect(messagesFor('constructor').signIn).toBe('Sign in');
  });

  test('overrides replace single keys, a language-prefixed one wins in its language', () => {
    const overrides = { signIn: 'Log in', 'ar.signIn': 'الدخول', 'ar.unknownKey': 'x', bogus: 'y' };
    expect(messagesFor('en', overrides).signIn).toBe('Log in');
    expect(messagesFor('ar', overrides).signIn).toBe('الدخول');
    expect(messagesFor('ar', overrides).password).toBe(CATALOGS.ar!.password);
    expect(messagesFor('en', overrides)).not.toHaveProperty('bogus');
    expect(messagesFor('en', {})).toBe(CATALOGS.en!);
  });
});

const langRouter = router({
  quick: publicProcedure.query(({ ctx }) => ctx.request.languageCode),
  full: publicProcedure.query(async ({ ctx }) => ({ full: await ctx.request.language(), quick: ctx.request.languageCode })),
  secret: publicProcedure.use(authed()).query(() => 'secret'),
});

const bilingual: StatehouseConfigInput = { languages: ['en', 'ar'] };

let server: TestServer;
let running: TestServer | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

async function start(config: StatehouseConfigInput = bilingual): Promise<TestServer> {
  running = await startTestServer(config, { router: createAppRouter({ lang: langRouter }), slices: [] });
  return running;
}

describe('language of a socket event', () => {
  test.each([
    ['cookie beats session and header', { cookie: 'ar', session: 'en', accept: 'en' }, 'ar'],
    ['session beats header', { session: 'ar', accept: 'en-US,en' }, 'ar'],
    ['an unsupported cookie is ignored', { cookie: 'fr', session: 'ar', accept: 'en' }, 'ar'],
    ['an unsupported session value is ignored', { session: 'fr', accept: 'en;q=0.1, ar-EG;q=0.9' }, 'ar'],
    ['header with q-values and region fallback', { accept: 'fr, en;q=0.3, ar-EG;q=0.7' }, 'ar'],
    ['nothing usable: the first configured language', { accept: 'fr, de' }, 'en'],
  ])('%s', async (_name, sources: { cookie?: string; session?: string; accept?: string }, expected) => {
    server = await start();
    const alice = await server.userWithSession('alice');
    if (sources.session) await writeSessionKey(server.statehouse.runtime.sessions, alice.sessionId, 'language', sources.session);
    const cookie = [alice.cookie, sources.cookie ? `statehouse_language=${sources.cookie}` : ''].filter(Boolean).join('; ');
    const ws = await server.open({ cookie, headers: sources.accept ? { 'accept-language': sources.accept } : {} });
    expect((await ws.ok('query', 'lang.full')).data.full).toBe(expected);
    await ws.close();
  });

  test('the sync languageCode reads no session until the connection has read it once', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    await writeSessionKey(server.statehouse.runtime.sessions, alice.sessionId, 'language', 'ar');
    const ws = await server.open({ cookie: alice.cookie, headers: { 'accept-language': 'en' } });
    expect((await ws.ok('query', 'lang.quick')).data).toBe('en');
    expect((await ws.ok('query', 'lang.full')).data).toEqual({ full: 'ar', quick: 'ar' });
    expect((await ws.ok('query', 'lang.quick')).data).toBe('ar');
    await ws.close();
  });

  test('the browser languages in the connection params win over the upgrade header, which a page and its socket need not share', async () => {
    server = await start();
    const ws = await server.open({ languages: 'fr,ar-EG,en', headers: { 'accept-language': 'en-US,en;q=0.9' } });
    expect((await ws.subscribeState()).delta.i18n).toEqual({ language: 'ar', dir: 'rtl' });
    expect((await ws.ok('query', 'lang.full')).data).toEqual({ full: 'ar', quick: 'ar' });
    await ws.close();
  });

  test.each([
    ['empty', ''],
    ['longer than a header is read', `ar,${'x'.repeat(1100)}`],
  ])('connection params languages that are %s are ignored: the header decides', async (_name, languages) => {
    server = await start();
    const ws = await server.open({ languages, headers: { 'accept-language': 'ar' } });
    expect((await ws.ok('query', 'lang.full')).data.full).toBe('ar');
    const en = await server.open({ languages, headers: { 'accept-language': 'en' } });
    expect((await en.ok('query', 'lang.full')).data.full).toBe('en');
    await ws.close();
    await en.close();
  });

  test('refusals speak the event’s language, and auth.messages overrides them', async () => {
    server = await start({ ...bilingual, auth: { messages: { 'ar.loginRequired': 'سجّل الدخول أولًا' } } });
    const ar = await server.open({ headers: { 'accept-language': 'ar' } });
    expect((await ar.call('query', 'lang.secret')).error?.message).toBe('سجّل الدخول أولًا');
    const en = await server.open({ headers: { 'accept-language': 'en' } });
    expect((await en.call('query', 'lang.secret')).error?.message).toBe('Please sign in to continue.');
    await ar.close();
    await en.close();
  });
});

describe('i18n.setLanguage', () => {
  test('refuses a language that is not configured, with a field error', async () => {
    server = await start();
    const ws = await server.open();
    const reply = await ws.call('mutation', 'i18n.setLanguage', { language: 'fr' });
    expect(reply.error?.data.code).toBe('BAD_REQUEST');
    expect(reply.error?.data.statehouse.fieldErrors).toEqual([
      { field: 'language', code: 'invalid_choice', message: expect.stringContaining('fr') },
    ]);
    await ws.close();
  });

  test('pushes the language and direction into the i18n slice and speaks it for the rest of the event', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie, headers: { 'accept-language': 'en' } });
    const first = await ws.subscribeState();
    expect(first.delta.i18n).toEqual({ language: 'en', dir: 'ltr' });
    const set = await ws.ok('mutation', 'i18n.setLanguage', { language: 'AR' });
    expect(set.data).toEqual({ language: 'ar', dir: 'rtl' });
    expect(set.delta).toEqual({ i18n: { language: 'ar', dir: 'rtl' } });
    expect((await ws.ok('query', 'lang.full')).data).toEqual({ full: 'ar', quick: 'ar' });
    await ws.close();
  });

  test('persists across a reconnect: the new socket starts in the chosen language', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const before = await server.open({ cookie: alice.cookie, headers: { 'accept-language': 'en' } });
    await before.ok('mutation', 'i18n.setLanguage', { language: 'ar' });
    await before.close();
    const after = await server.open({ cookie: alice.cookie, headers: { 'accept-language': 'en' } });
    const push = await after.subscribeState();
    expect(push.delta.i18n).toEqual({ language: 'ar', dir: 'rtl' });
    expect((await after.ok('query', 'lang.quick')).data).toBe('ar');
    await after.close();
  });

  test('a tab resuming its slices after a reconnect gets the language chosen meanwhile', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const tab = await server.open({ cookie: alice.cookie, tabId: 'tab-language-resume' });
    expect((await tab.subscribeState()).delta.i18n.language).toBe('en');
    await tab.close();
    await waitFor(() => server.statehouse.runtime.registry.stashedCount === 1, { what: 'the closed tab to be stashed' });
    const other = await server.open({ cookie: alice.cookie });
    await other.ok('mutation', 'i18n.setLanguage', { language: 'ar' });
    const back = await server.open({ cookie: alice.cookie, tabId: 'tab-language-resume' });
    expect((await back.subscribeState()).delta.i18n).toEqual({ language: 'ar', dir: 'rtl' });
    await other.close();
    await back.close();
  });

  test('reaches the other open tabs of the same session at once', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const a = await server.open({ cookie: alice.cookie });
    const b = await server.open({ cookie: alice.cookie });
    await a.subscribeState();
    await b.subscribeState();
    const set = await a.ok('mutation', 'i18n.setLanguage', { language: 'ar' });
    expect(set.delta.i18n).toEqual({ language: 'ar', dir: 'rtl' });
    await b.waitForPushes(2);
    expect(b.pushes[1]).toEqual({ delta: { i18n: { language: 'ar', dir: 'rtl' } }, actions: [] });
    // The tab that chose it has it in its reply: no second push (b got its
    // push, and a round trip on a passes any push queued before it).
    await a.ok('query', 'lang.full');
    expect(a.pushes).toHaveLength(1);
    await a.close();
    await b.close();
  });

  test('a language message on the bus for a language this site does not offer changes nothing', async () => {
    server = await start();
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    await ws.subscribeState();
    // The in-process bus has applied it once publish resolves; the round trip passes any push it queued.
    await server.statehouse.runtime.bus.publish({ type: 'session-language', sessionId: alice.sessionId, language: 'fr' });
    expect((await ws.ok('query', 'lang.full')).data.full).toBe('en');
    expect(ws.pushes).toHaveLength(1);
    await ws.close();
  });

  test('an anonymous visitor gets a session for it, with a cookie sync', async () => {
    server = await start();
    const ws = await server.open();
    const set = await ws.ok('mutation', 'i18n.setLanguage', { language: 'ar' });
    expect(set.actions).toEqual([{ type: 'syncCookieThenNavigate', ticket: expect.any(String), to: null, session: expect.any(String) }]);
    expect((await ws.ok('query', 'lang.full')).data.full).toBe('ar');
    await ws.close();
  });

  test('i18n.messages answers the catalog of the event’s language with overrides applied', async () => {
    server = await start({ ...bilingual, auth: { messages: { logOut: 'Sign out', 'ar.logOut': 'خروج' } } });
    const ar = await server.open({ headers: { 'accept-language': 'ar' } });
    const { data } = await ar.ok('query', 'i18n.messages');
    expect(data).toMatchObject({ language: 'ar', dir: 'rtl', messages: { logOut: 'خروج', signIn: CATALOGS.ar!.signIn } });
    const en = await server.open();
    expect((await en.ok('query', 'i18n.messages')).data.messages.logOut).toBe('Sign out');
    await ar.close();
    await en.close();
  });
});
