import { afterEach, describe, expect, spyOn, test } from 'bun:test';
import { Route } from '@solidjs/router';
import { ACCOUNT_EN, accountMessagesFor, useAccountMessages } from '../../client/auth/account-messages';
import { AUTH_CATALOGS, AUTH_EN, authMessagesFor, type AuthMessages } from '../../client/auth/messages';
import { DEFAULT_SITE, LoginPage, RegisterPage } from '../../client/auth';
import { AR_MESSAGES, EN_ACCOUNT_TEXTS, type SiteSnapshot } from '../../server/shared';
import { eventually, waitFor } from '../helpers/wait-for';
import { fakeServerPerFile, mountOnFakeServer } from './mount-on-fake-server';

/**
 * The canned pages bundle English and fetch another language's texts the
 * first time a page is shown in it: a page in that language waits for them
 * rather than showing English first, a change of language keeps the page in
 * the old one until the new texts are in, and a chunk that cannot be loaded
 * leaves the page in English, said in a toast.
 */
const fake = fakeServerPerFile();

// Private-use codes (ISO 639-2 qaa–qtz): languages this test adds, which no other test knows.
const SLOW = 'qaa';
const BROKEN = 'qab';
// The Arabic catalog's real chunk under a code of its own: loaded by no earlier test file (the catalogs are module-wide).
const ARABIC = 'qad';
AUTH_CATALOGS.add(ARABIC, () => import('../../client/auth/messages-ar').then((m) => m.AUTH_AR));
const SITE: SiteSnapshot = { ...DEFAULT_SITE, siteName: 'Test site', languages: ['en', ARABIC, SLOW, BROKEN] };

/** A catalog the test delivers when it chooses, and how often it was asked for. */
function deferredCatalog() {
  const asked: ((catalog: AuthMessages) => void)[] = [];
  const load = () => new Promise<AuthMessages>((resolve) => asked.push(resolve));
  return { load, asked };
}

const consoleErrors: unknown[][] = [];
const quietConsole = spyOn(console, 'error').mockImplementation((...args: unknown[]) => void consoleErrors.push(args));
afterEach(() => {
  consoleErrors.length = 0;
});

/** The login page at /login (and the register page at /register); every `<h1>` it ever shows is kept in `headings`. */
function mountLogin() {
  const routes = () => (
    <>
      <Route path="/login" component={LoginPage} />
      <Route path="/register" component={RegisterPage} />
    </>
  );
  const mounted = mountOnFakeServer(fake.server, routes, '/login', fake.cleanups);
  const headings: string[] = [];
  const observer = new MutationObserver(() => {
    for (const h1 of mounted.container.querySelectorAll('h1')) {
      const text = h1.textContent ?? '';
      if (headings.at(-1) !== text) headings.push(text);
    }
  });
  observer.observe(mounted.container, { childList: true, subtree: true, characterData: true });
  fake.cleanups.push(() => observer.disconnect());
  return { ...mounted, headings };
}

async function pushFirstState(
  connection: Awaited<ReturnType<ReturnType<typeof mountLogin>['connection']>>,
  language: string,
  dir: string,
  site = SITE,
) {
  connection.push('statehouse.state', {
    full: true,
    delta: { auth: { isAuthenticated: false }, site, i18n: { language, dir } },
    actions: [],
  });
}

const card = (container: HTMLElement) => container.querySelector('.sh-auth');
const heading = (container: HTMLElement) => container.querySelector('h1')?.textContent ?? null;

describe('each language’s texts arrive with it', () => {
  test('a page in Arabic shows Arabic once its texts are in, and never English before', async () => {
    const { container, connection, headings, client } = mountLogin();
    await pushFirstState(await connection(), ARABIC, 'rtl');
    await eventually(() => expect(heading(container)).toBe('تسجيل الدخول'));
    expect(AUTH_CATALOGS.status(ARABIC)).toBe('ready');
    expect(headings).toEqual(['تسجيل الدخول']);
    expect(card(container)?.getAttribute('lang')).toBe(ARABIC);
    expect(card(container)?.getAttribute('dir')).toBe('rtl');
    expect(container.textContent).toContain('هل نسيت كلمة المرور؟');
    expect(container.textContent).not.toContain('Forgot your password?');
    // The next visit's guess is kept in the client's own storage, not the page's.
    expect(client.actions.localStorage()?.getItem('statehouse:language')).toBe(ARABIC);
    expect(globalThis.localStorage.getItem('statehouse:language')).toBeNull();
  });

  test('the page waits for the texts of its language while they load, then shows them', async () => {
    const slow = deferredCatalog();
    AUTH_CATALOGS.add(SLOW, slow.load);
    const { container, connection, client, headings } = mountLogin();
    await pushFirstState(await connection(), SLOW, 'ltr');
    await waitFor(() => slow.asked.length === 1 && (client.slices.i18n as { language?: string } | undefined)?.language === SLOW, {
      what: 'the first push and the fetch',
    });
    expect(heading(container)).toBeNull();
    slow.asked[0]!({ ...AUTH_EN, signIn: 'Qaa sign in' });
    await eventually(() => expect(heading(container)).toBe('Qaa sign in'));
    expect(headings).toEqual(['Qaa sign in']);
    expect(slow.asked).toHaveLength(1);
  });

  test('choosing another language fetches its texts beside the call; the page stays in the old language until they are in', async () => {
    const slow = deferredCatalog();
    const other = 'qac';
    AUTH_CATALOGS.add(other, slow.load);
    const { container, connection } = mountLogin();
    const socket = await connection();
    await pushFirstState(socket, 'en', 'ltr');
    await eventually(() => expect(heading(container)).toBe('Sign in'));
    expect(slow.asked).toHaveLength(0);

    // The picker, as a visitor uses it: the fetch starts before the server answers.
    const picker = await waitFor(() => container.querySelector<HTMLSelectElement>('#sh-language'));
    const option = document.createElement('option');
    option.value = other;
    picker.append(option);
    picker.value = other;
    picker.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => slow.asked.length === 1, { what: 'the fetch of the chosen language' });
    await waitFor(() => fake.server.calls.some((call) => call.path === 'i18n.setLanguage'), { what: 'the setLanguage call' });

    // The server's push names the language before its texts are in: the page stays in English.
    socket.push('statehouse.state', { delta: { i18n: { language: other, dir: 'rtl' } }, actions: [] });
    await Bun.sleep(50);
    expect(heading(container)).toBe('Sign in');
    expect(card(container)?.getAttribute('dir')).toBe('ltr');

    slow.asked[0]!({ ...AUTH_EN, signIn: 'Qac sign in' });
    await eventually(() => expect(heading(container)).toBe('Qac sign in'));
    expect(card(container)?.getAttribute('lang')).toBe(other);
    expect(card(container)?.getAttribute('dir')).toBe('rtl');
  });

  test('another page opened while a change of language loads shows at once, in the previous language', async () => {
    const slow = deferredCatalog();
    const other = 'qae';
    AUTH_CATALOGS.add(other, slow.load);
    const { container, connection, history } = mountLogin();
    const socket = await connection();
    await pushFirstState(socket, 'en', 'ltr');
    await eventually(() => expect(heading(container)).toBe('Sign in'));
    socket.push('statehouse.state', { delta: { i18n: { language: other, dir: 'ltr' } }, actions: [] });
    await waitFor(() => slow.asked.length === 1, { what: 'the fetch' });

    history.set({ value: '/register' });
    await eventually(() => expect(heading(container)).toBe(AUTH_EN.createAnAccount));
    expect(container.querySelector('.sh-connecting')).toBeNull();

    slow.asked[0]!({ ...AUTH_EN, createAnAccount: 'Qae create account' });
    await eventually(() => expect(heading(container)).toBe('Qae create account'));
  });

  test('texts that cannot be loaded leave the page in English, and a toast and the console say so', async () => {
    const missing = './no-such-catalog.ts';
    AUTH_CATALOGS.add(BROKEN, () => import(missing));
    const { container, connection, client } = mountLogin();
    await pushFirstState(await connection(), BROKEN, 'rtl');
    await eventually(() => expect(heading(container)).toBe('Sign in'));
    expect(AUTH_CATALOGS.status(BROKEN)).toBe('failed');
    expect(card(container)?.getAttribute('lang')).toBe('en');
    expect(card(container)?.getAttribute('dir')).toBe('ltr');
    await eventually(() => expect(client.toasts.map((t) => t.message)).toContain(AUTH_EN.languageLoadFailed));
    expect(consoleErrors.some((args) => String(args[0]).includes(`"${BROKEN}"`))).toBe(true);
    expect(quietConsole).toHaveBeenCalled();
  });

  test('texts that never arrive leave the page in English after the timeout, the toast in the site’s own wording', async () => {
    const never = deferredCatalog();
    AUTH_CATALOGS.add('qah', never.load);
    const timeout = AUTH_CATALOGS.timeoutMs;
    AUTH_CATALOGS.timeoutMs = 50;
    fake.cleanups.push(() => (AUTH_CATALOGS.timeoutMs = timeout));
    const { container, connection, client } = mountLogin();
    const site = { ...SITE, languages: ['en', 'qah'], messages: { languageLoadFailed: 'Our texts in your language are late.' } };
    await pushFirstState(await connection(), 'qah', 'rtl', site);
    await eventually(() => expect(heading(container)).toBe('Sign in'));
    expect(AUTH_CATALOGS.status('qah')).toBe('failed');
    expect(card(container)?.getAttribute('lang')).toBe('en');
    await eventually(() => expect(client.toasts.map((t) => t.message)).toContain('Our texts in your language are late.'));
  });

  test('a language not loaded yet answers English with English’s overrides, not that language’s', async () => {
    const slow = deferredCatalog();
    AUTH_CATALOGS.add('qai', slow.load);
    const overrides = { 'qai.signIn': 'Qai sign in', 'en.signIn': 'Log in' };
    expect(authMessagesFor('qai', overrides).signIn).toBe('Log in');
    await waitFor(() => slow.asked.length === 1, { what: 'the fetch' });
    slow.asked[0]!(AUTH_EN);
    await eventually(() => expect(AUTH_CATALOGS.status('qai')).toBe('ready'));
    expect(authMessagesFor('qai', overrides).signIn).toBe('Qai sign in');
  });

  test('a catalog missing texts shows the English ones for them', async () => {
    const { signIn: _dropped, ...partial } = AUTH_EN;
    AUTH_CATALOGS.add('qaj', async () => ({ ...partial, forgotPassword: 'Qaj forgot' }) as AuthMessages);
    const t = await AUTH_CATALOGS.load('qaj');
    expect(t.forgotPassword).toBe('Qaj forgot');
    expect(t.signIn).toBe(AUTH_EN.signIn);
  });

  test('after a chosen language fails, the picker says the language shown', async () => {
    const broken = 'qak';
    AUTH_CATALOGS.add(broken, () => Promise.reject(new Error('chunk failed')));
    const { container, connection } = mountLogin();
    const socket = await connection();
    await pushFirstState(socket, 'en', 'ltr', { ...SITE, languages: ['en', broken] });
    const picker = await waitFor(() => container.querySelector<HTMLSelectElement>('#sh-language'));
    await waitFor(() => picker.options.length === 2, { what: 'the options' });
    picker.value = broken;
    picker.dispatchEvent(new Event('change', { bubbles: true }));
    await waitFor(() => fake.server.calls.some((call) => call.path === 'i18n.setLanguage'), { what: 'the setLanguage call' });
    socket.push('statehouse.state', { delta: { i18n: { language: broken, dir: 'ltr' } }, actions: [] });
    await eventually(() => expect(AUTH_CATALOGS.status(broken)).toBe('failed'));
    await eventually(() => expect(picker.value).toBe('en'));
    expect(heading(container)).toBe('Sign in');
  });

  test('the early fetch only guesses among the languages the server wrote into the page', async () => {
    const guessed = deferredCatalog();
    AUTH_CATALOGS.add('qam', guessed.load);
    Object.defineProperty(navigator, 'languages', { configurable: true, value: ['qam', 'en'] });
    const meta = document.createElement('meta');
    meta.name = 'statehouse-languages';
    document.head.append(meta);
    fake.cleanups.push(() => {
      meta.remove();
      Reflect.deleteProperty(navigator, 'languages');
    });

    // The app speaks English only: the page can only be English, so nothing is fetched.
    meta.content = 'en';
    const english = mountLogin();
    await english.connection();
    await Bun.sleep(50);
    expect(guessed.asked).toHaveLength(0);
    await english.client.close();

    // The app speaks it: the browser's first language is fetched before any push.
    meta.content = 'en,qam';
    await mountLogin().connection();
    await waitFor(() => guessed.asked.length === 1, { what: 'the early fetch' });
  });
});

/**
 * The texts of the pages a first visit does not load (Settings, the
 * two-factor step, Confirm it's you) come with those pages' code in English,
 * and with each language's catalog in the others.
 */
describe('the account pages’ texts', () => {
  test('English comes with them, beside every text of the canned pages', () => {
    const t = accountMessagesFor('en');
    expect(t.turnOnTwoFactor).toBe(EN_ACCOUNT_TEXTS.turnOnTwoFactor);
    expect(t.rename).toBe('Rename');
    expect(t.signIn).toBe(AUTH_EN.signIn);
    expect(t).toBe(ACCOUNT_EN);
  });

  test('another language’s come with its catalog, and a page shows them in it', async () => {
    const Security = () => {
      const t = useAccountMessages();
      return <p id="security">{`${t().turnOnTwoFactor} / ${t().rename}`}</p>;
    };
    const mounted = mountOnFakeServer(fake.server, () => <Route path="/security" component={Security} />, '/security', fake.cleanups);
    await pushFirstState(await mounted.connection(), ARABIC, 'rtl');
    const text = () => mounted.container.querySelector('#security')?.textContent;
    await eventually(() => expect(text()).toBe(`${AR_MESSAGES.turnOnTwoFactor} / إعادة التسمية`));
    expect(accountMessagesFor(ARABIC).signIn).toBe(AR_MESSAGES.signIn);
  });

  test('a catalog without them shows them in English, its own texts in its language', async () => {
    AUTH_CATALOGS.add('qan', async () => ({ ...AUTH_EN, signIn: 'Qan sign in' }));
    await AUTH_CATALOGS.load('qan');
    const t = accountMessagesFor('qan');
    expect(t.signIn).toBe('Qan sign in');
    expect(t.turnOnTwoFactor).toBe(EN_ACCOUNT_TEXTS.turnOnTwoFactor);
    expect(t.passkeyName).toBe(ACCOUNT_EN.passkeyName);
    // Completed once per catalog, not at every read.
    expect(accountMessagesFor('qan')).toBe(t);
  });

  test('overrides apply as they do to the canned pages: everywhere, or in one language', async () => {
    const overrides = { turnOnTwoFactor: 'Enable 2FA', 'qad.rename': 'Qad rename', 'en.rename': 'Rename it' };
    expect(accountMessagesFor('en', overrides).turnOnTwoFactor).toBe('Enable 2FA');
    expect(accountMessagesFor('en', overrides).rename).toBe('Rename it');
    await AUTH_CATALOGS.load(ARABIC);
    expect(accountMessagesFor(ARABIC, overrides).rename).toBe('Qad rename');
    expect(accountMessagesFor(ARABIC, overrides).turnOnTwoFactor).toBe('Enable 2FA');
    // Keys no page has are ignored.
    expect('noSuchText' in accountMessagesFor('en', { noSuchText: 'x' })).toBe(false);
  });

  test('a language not loaded yet answers English with English’s overrides', async () => {
    const slow = deferredCatalog();
    AUTH_CATALOGS.add('qao', slow.load);
    const overrides = { 'qao.rename': 'Qao rename', 'en.rename': 'Rename it' };
    expect(accountMessagesFor('qao', overrides).rename).toBe('Rename it');
    await waitFor(() => slow.asked.length === 1, { what: 'the fetch' });
    slow.asked[0]!(AUTH_EN);
    await eventually(() => expect(AUTH_CATALOGS.status('qao')).toBe('ready'));
    expect(accountMessagesFor('qao', overrides).rename).toBe('Qao rename');
  });
});
