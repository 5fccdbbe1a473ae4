import { createEffect, createMemo, createRoot, on, type Accessor } from 'solid-js';
import type { StorageLike } from '../state/actions';
import { useSlice, useStateClient } from '../state/context';
import { baseLanguageOf, I18N_SLICE, LANGUAGE_COOKIE, SITE_SLICE, type SiteSnapshot } from '../../server/shared';
import { AUTH_CATALOGS, authMessagesFor } from './messages';

/** The `site` slice before the server's first push: the config defaults. */
export const DEFAULT_SITE: Readonly<SiteSnapshot> = Object.freeze({
  siteName: 'Statehouse',
  loginUrl: '/login',
  signupUrl: '/register',
  passwordResetUrl: '/password-reset',
  loginRedirectUrl: '/',
  signupEnabled: true,
  passwordResetEnabled: true,
  emailVerification: 'off',
  verifyEmailUrl: '/verify-email',
  loginFields: ['username'],
  oauthProviders: [],
  magicLinkEnabled: false,
  messages: {},
  languages: ['en'],
}) as SiteSnapshot;

/** The built-in `i18n` slice: the tab's language and text direction. */
export interface LanguageState {
  language: string;
  dir: 'ltr' | 'rtl';
}

/**
 * The public auth config of the `site` slice, falling back to the defaults
 * field by field until the server's first push arrives.
 *
 * @example
 * const site = useSite();
 * return <a href={site().loginUrl}>Sign in</a>;
 */
export function useSite(): Accessor<SiteSnapshot> {
  const slice = useSlice<Partial<SiteSnapshot>>(SITE_SLICE);
  return createMemo(() => ({
    siteName: slice.siteName ?? DEFAULT_SITE.siteName,
    loginUrl: slice.loginUrl ?? DEFAULT_SITE.loginUrl,
    signupUrl: slice.signupUrl ?? DEFAULT_SITE.signupUrl,
    passwordResetUrl: slice.passwordResetUrl ?? DEFAULT_SITE.passwordResetUrl,
    loginRedirectUrl: slice.loginRedirectUrl ?? DEFAULT_SITE.loginRedirectUrl,
    signupEnabled: slice.signupEnabled ?? DEFAULT_SITE.signupEnabled,
    passwordResetEnabled: slice.passwordResetEnabled ?? DEFAULT_SITE.passwordResetEnabled,
    emailVerification: slice.emailVerification ?? DEFAULT_SITE.emailVerification,
    verifyEmailUrl: slice.verifyEmailUrl ?? DEFAULT_SITE.verifyEmailUrl,
    loginFields: slice.loginFields ?? DEFAULT_SITE.loginFields,
    oauthProviders: slice.oauthProviders ?? DEFAULT_SITE.oauthProviders,
    magicLinkEnabled: slice.magicLinkEnabled ?? DEFAULT_SITE.magicLinkEnabled,
    messages: slice.messages ?? DEFAULT_SITE.messages,
    languages: slice.languages ?? DEFAULT_SITE.languages,
  }));
}

/**
 * Whether the server's first state push has arrived, so the `auth` slice
 * tells the truth. Until then a signed-in visitor still looks anonymous:
 * guards and the login page wait for this before they redirect anyone.
 *
 * @example
 * const ready = useStateReady();
 * return <Show when={ready()}>…</Show>;
 */
export function useStateReady(): Accessor<boolean> {
  // The `site` slice travels only in full pushes, the first one included.
  const slice = useSlice<Partial<SiteSnapshot>>(SITE_SLICE);
  return () => typeof slice.loginUrl === 'string';
}

/** The language shown before the first push, and when a language's texts cannot be loaded. */
const DEFAULT_LANGUAGE: Readonly<LanguageState> = Object.freeze({ language: 'en', dir: 'ltr' });

/** The localStorage key of the last language the server chose for this browser. */
const LAST_LANGUAGE_KEY = 'statehouse:language';

interface ShownLanguage {
  shown: Accessor<LanguageState>;
  pending: Accessor<boolean>;
  /** Once true, stays true: the first push and the texts of its language have arrived. */
  pagesShown: Accessor<boolean>;
}

/** One per state client (keyed by its `i18n` slice): every component reads the same. */
const SHOWN = new WeakMap<object, ShownLanguage>();

/**
 * The tab's language and direction from the built-in `i18n` slice, as the
 * page shows them: `en`, `ltr` until the first push; a language whose texts
 * are fetched on first use (Arabic) once they are in, the previous one
 * meanwhile, so the texts, `lang` and `dir` change together; English when
 * its chunk cannot be loaded (reported on the console and in a toast).
 *
 * @example
 * const lang = useLanguage();
 * return <div lang={lang().language} dir={lang().dir}>…</div>;
 */
export function useLanguage(): Accessor<LanguageState> {
  return shownLanguage().shown;
}

/**
 * Whether the tab's language (the `i18n` slice's) differs from the shown one
 * because its texts are still on their way. The canned pages wait for it
 * before they first show, so a page in Arabic does not flash English.
 *
 * @example
 * const pending = useLanguagePending();
 * return <Show when={!pending()}>…</Show>;
 */
export function useLanguagePending(): Accessor<boolean> {
  return shownLanguage().pending;
}

/**
 * Whether the canned pages have been shown in this client: the first push and
 * the texts of the language it names have arrived. Once true it stays true,
 * across pages, so a page opened while a change of language loads shows at
 * once, in the previous language.
 *
 * @example
 * const shown = usePagesShown();
 * return <Show when={shown()}>…</Show>;
 */
export function usePagesShown(): Accessor<boolean> {
  return shownLanguage().pagesShown;
}

function shownLanguage(): ShownLanguage {
  const slice = useSlice<Partial<LanguageState>>(I18N_SLICE);
  let found = SHOWN.get(slice);
  if (!found) {
    const client = useStateClient();
    const ready = useStateReady();
    // Lives as long as the client's store (the WeakMap's key): no component owns it.
    const site = useSlice<Partial<SiteSnapshot>>(SITE_SLICE);
    // Said in English (what the page falls back to), with the site's own wording of it.
    const report = (): void => {
      client.toastActions.show('error', authMessagesFor(DEFAULT_LANGUAGE.language, site.messages ?? {}).languageLoadFailed);
    };
    const storage = (): StorageLike | undefined => client.actions.localStorage();
    found = createRoot(() => followLanguage(slice, ready, storage, report));
    SHOWN.set(slice, found);
  }
  return found;
}

function followLanguage(
  slice: Partial<LanguageState>,
  ready: Accessor<boolean>,
  storage: () => StorageLike | undefined,
  report: () => void,
): ShownLanguage {
  const wanted = (): string => slice.language ?? DEFAULT_LANGUAGE.language;
  const shown = createMemo<LanguageState>(
    (previous) => {
      const language = wanted();
      const status = AUTH_CATALOGS.status(language);
      if (status === 'loading') return previous;
      if (status === 'failed') return DEFAULT_LANGUAGE;
      return { language, dir: slice.dir === 'rtl' ? 'rtl' : 'ltr' };
    },
    DEFAULT_LANGUAGE,
    { equals: (a, b) => a.language === b.language && a.dir === b.dir },
  );
  const pending = createMemo(() => AUTH_CATALOGS.status(wanted()) === 'loading');
  const pagesShown = createMemo((was: boolean) => was || (ready() && !pending()), false);
  createEffect(
    on(
      () => AUTH_CATALOGS.status(wanted()) === 'failed',
      (failed) => {
        if (failed) report();
      },
    ),
  );
  createEffect(() => {
    if (slice.language) remember(storage, slice.language);
  });
  // Fetch the likely language's texts now, beside the socket's first push, which says for sure.
  const likely = likelyLanguage(storage);
  if (likely) AUTH_CATALOGS.status(likely);
  return { shown, pending, pagesShown };
}

/**
 * The language the first push will most likely name, before it arrives: the
 * language cookie, else the one the server chose last time in this browser
 * (the session's choice included), else the first of the browser's
 * languages the pages have a catalog for (none when English comes first);
 * only among the app's languages when the page names them. Only used to start
 * a fetch early.
 */
function likelyLanguage(storage: () => StorageLike | undefined): string | null {
  const speaks = appLanguages();
  const spoken = (tag: string): boolean => !speaks || speaks.has(tag.toLowerCase()) || speaks.has(baseLanguageOf(tag.toLowerCase()));
  try {
    const cookie = globalThis.document?.cookie.match(new RegExp(`(?:^|;\\s*)${LANGUAGE_COOKIE}=([^;]*)`))?.[1];
    if (cookie) return spoken(decodeURIComponent(cookie)) ? decodeURIComponent(cookie) : null;
    const last = storage()?.getItem(LAST_LANGUAGE_KEY);
    if (last) return spoken(last) ? last : null;
  } catch {
    // A malformed cookie, storage refused (privacy settings): the browser's languages decide.
  }
  for (const tag of globalThis.navigator?.languages ?? []) {
    if (!spoken(tag)) continue;
    if (AUTH_CATALOGS.fetched(tag)) return tag;
    // English comes before any fetched language: nothing to fetch.
    if (baseLanguageOf(tag) === DEFAULT_LANGUAGE.language) return null;
  }
  return null;
}

/**
 * The app's languages, as the server wrote them into the page
 * (`<meta name="statehouse-languages" content="en,ar">`); null when the page
 * does not say (served by something else): then any language may be guessed.
 */
function appLanguages(): Set<string> | null {
  const content = globalThis.document?.querySelector<HTMLMetaElement>('meta[name="statehouse-languages"]')?.content;
  return content ? new Set(content.split(',').map((code) => code.trim().toLowerCase())) : null;
}

function remember(storage: () => StorageLike | undefined, language: string): void {
  try {
    storage()?.setItem(LAST_LANGUAGE_KEY, language);
  } catch {
    // Storage full or refused: the next visit guesses from the browser's languages.
  }
}
