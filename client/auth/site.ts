import { createMemo, type Accessor } from 'solid-js';
import { useSlice } from '../state/context';
import { I18N_SLICE, SITE_SLICE, type SiteSnapshot } from '../../server/shared';

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

/**
 * The tab's language and direction from the built-in `i18n` slice (`en`,
 * `ltr` until the first push).
 *
 * @example
 * const lang = useLanguage();
 * return <div lang={lang().language} dir={lang().dir}>…</div>;
 */
export function useLanguage(): Accessor<LanguageState> {
  const slice = useSlice<Partial<LanguageState>>(I18N_SLICE);
  return createMemo((): LanguageState => ({ language: slice.language ?? 'en', dir: slice.dir === 'rtl' ? 'rtl' : 'ltr' }));
}
