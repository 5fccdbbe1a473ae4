import { EN_BROWSER_TEXTS, withOverrides, type BrowserTexts } from '../../server/shared';
import { lazyCatalogs, overridesLanguageOf } from './lazy-catalogs';

/**
 * Texts only the Solid pages need (titles, busy labels, links), next to the
 * shared catalog's browser part (`server/i18n/catalog-en-browser.ts`); those
 * of the pages fetched on first use are in `account-messages.ts`. Same
 * override rules: a plain key replaces the text in every language, `lang.key`
 * in one language only.
 */
const PAGE_EN = {
  createAnAccount: 'Create an account',
  signInInstead: 'Sign in instead',
  creatingAccount: 'Creating account…',
  sendingResetLink: 'Sending…',
  setNewPassword: 'Set a new password',
  settingPassword: 'Setting password…',
  checkingResetLink: 'Checking your link…',
  askForNewLink: 'Ask for a new link',
  loggingOut: 'Logging out…',
  emailHint: 'Optional. Needed to reset a forgotten password.',
  tryAgainIn: 'Too many attempts. Try again in {seconds} seconds.',
  busyTryAgainIn: 'The server is busy. Try again in {seconds} seconds.',
  somethingWentWrong: 'Something went wrong. Please try again.',
  connecting: 'Connecting…',
  loadingPage: 'Loading…',
  pageLoadFailed: 'This page could not be loaded. Reload to try again.',
  languageLoadFailed: 'The texts of this language could not be loaded. Reload to try again.',
  continueWith: 'Continue with {provider}',
  orSignInWith: 'Or sign in with',
  emailSignInLink: 'Email me a sign-in link',
  sendingSignInLink: 'Sending…',
  signInLinkSent: 'If an account has this address, a sign-in link is on its way. It works once, within 15 minutes.',
  oauth_state: 'That sign-in could not be checked. Please start again.',
  oauth_denied: 'The sign-in was cancelled at the provider.',
  oauth_failed: 'The provider’s answer could not be used. Please try again.',
  oauth_account_exists:
    'An account already uses this address. Sign in with your password, then connect the provider from Settings → Connected accounts.',
  oauth_signup_closed: 'No account is linked to this provider, and sign-up is closed.',
  oauth_inactive: 'This account is inactive.',
  oauth_identity_taken: 'That provider account is already connected to another user.',
  oauth_too_many: 'Too many attempts. Try again in a minute.',
  link_invalid: 'This sign-in link is invalid, used or expired. Ask for a new one.',
  // Passkeys
  signInWithPasskey: 'Sign in with a passkey',
  waitingForPasskey: 'Waiting for your passkey…',
  passkeyCancelled: 'The passkey prompt was closed or timed out. Try again when you are ready.',
  passkeyUnsupported: 'This browser cannot use passkeys here.',
  passkeyAlreadyOnDevice: 'This device already holds a passkey for your account.',
  passkeyFailed: 'The passkey could not be used. Please try again.',
} as const;

/** A key of the page-only texts. */
export type PageMessageKey = keyof typeof PAGE_EN;

/**
 * Every text the canned pages show: the shared catalog's browser part plus
 * the page-only texts. Refusals and notices the server words itself
 * (`EN_SERVER_TEXTS`) reach the page as the server's message, so they are
 * not bundled.
 */
export type AuthMessages = BrowserTexts & Readonly<Record<PageMessageKey, string>>;

/** Every English text of the canned pages: bundled with them, and what a language without a catalog shows. */
export const AUTH_EN: AuthMessages = { ...EN_BROWSER_TEXTS, ...PAGE_EN };

/**
 * The canned pages' texts by language: English is bundled, every other
 * language is a chunk of its own (the shared catalog's texts with the
 * page-only ones), fetched the first time a page is shown in it. A language
 * the pages have no catalog for shows English.
 */
export const AUTH_CATALOGS = lazyCatalogs<AuthMessages>(AUTH_EN, {
  ar: () => import('./messages-ar').then((m) => m.AUTH_AR),
});

/**
 * The texts of the canned pages in `language` (the shared catalog and the
 * page-only texts) with `overrides` applied (`{ signIn: 'Log in' }`
 * everywhere, `{ 'ar.signIn': '…' }` in Arabic only). Synchronous: a
 * language whose catalog is not loaded yet answers English, with English's
 * overrides (not a mix of English and that language's); {@link loadAuthMessages}
 * waits for it.
 *
 * @example
 * const t = authMessagesFor('en', { createAnAccount: 'Join us' });
 * t.signIn;          // 'Sign in'
 * t.createAnAccount; // 'Join us'
 */
export function authMessagesFor(language: string, overrides: Readonly<Record<string, string>> = {}): AuthMessages {
  const catalog = AUTH_CATALOGS.get(language);
  return withOverrides(catalog, AUTH_EN, overridesLanguageOf(AUTH_CATALOGS, catalog, AUTH_EN, language), overrides) as AuthMessages;
}

/**
 * The texts of the canned pages in `language` once its catalog is loaded
 * (fetched if need be); rejects when its chunk cannot be loaded.
 *
 * @example
 * const t = await loadAuthMessages('ar');
 * t.signIn; // 'تسجيل الدخول'
 */
export async function loadAuthMessages(language: string, overrides: Readonly<Record<string, string>> = {}): Promise<AuthMessages> {
  return withOverrides(await AUTH_CATALOGS.load(language), AUTH_EN, language, overrides) as AuthMessages;
}

/**
 * Fills `{name}` placeholders of a message.
 *
 * @example
 * formatMessage('Try again in {seconds} seconds.', { seconds: 30 }); // 'Try again in 30 seconds.'
 */
export function formatMessage(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}
