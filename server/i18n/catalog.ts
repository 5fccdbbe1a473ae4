/**
 * Message catalogs of the canned auth pages (sign in, sign up, password
 * reset, log out) and of the built-in refusals, every language at once: the
 * server renders refusals and mails in any language. Each language's texts
 * live in a module of their own (`catalog-en.ts`, `catalog-ar.ts`), so the
 * browser can bundle English and fetch another language when it is first
 * shown. This module imports nothing but those.
 */
import { AR } from './catalog-ar';
import { EN, type MessageKey, type Messages } from './catalog-en';
import { baseLanguageOf, withOverrides } from './overrides';

export type { MessageKey, Messages } from './catalog-en';

/** Text direction of a language. */
export type TextDirection = 'ltr' | 'rtl';

/** The shipped catalogs, by language code. */
export const CATALOGS: Readonly<Record<string, Messages>> = Object.freeze({ en: EN, ar: AR });

/** Languages written right to left (base codes); every other one is left to right. */
const RTL_LANGUAGES: ReadonlySet<string> = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** Direction of the shipped languages; {@link directionOf} answers for any code. */
export const LANGUAGE_DIRECTIONS: Readonly<Record<string, TextDirection>> = Object.freeze({ en: 'ltr', ar: 'rtl' });

/**
 * The text direction of a language code (region tags follow their base).
 *
 * @example
 * directionOf('ar-EG'); // 'rtl'
 */
export function directionOf(language: string): TextDirection {
  if (Object.hasOwn(LANGUAGE_DIRECTIONS, language)) return LANGUAGE_DIRECTIONS[language]!;
  return RTL_LANGUAGES.has(baseLanguageOf(language)) ? 'rtl' : 'ltr';
}

/** The catalog of a language or of its base language, else English. */
function catalogOf(language: string): Messages {
  if (Object.hasOwn(CATALOGS, language)) return CATALOGS[language]!;
  const base = baseLanguageOf(language);
  return Object.hasOwn(CATALOGS, base) ? CATALOGS[base]! : EN;
}

/**
 * The messages of a language, with overrides applied. A language without a
 * catalog falls back to its base language, then to English. An override key
 * (`signIn`) replaces that message in every language; a key prefixed with a
 * language (`ar.signIn`) replaces it in that language only, and wins.
 * Keys outside the catalog are ignored.
 *
 * @example
 * const t = messagesFor('ar', { 'ar.signIn': 'الدخول' });
 * t.signIn; // 'الدخول'
 */
export function messagesFor(language: string, overrides: Readonly<Record<string, string>> = {}): Messages {
  return withOverrides(catalogOf(language), EN, language, overrides);
}

/**
 * One message of a language, with overrides applied (see {@link messagesFor}).
 *
 * @example
 * messageFor('ar', 'logOut'); // 'تسجيل الخروج'
 */
export function messageFor(language: string, key: MessageKey, overrides: Readonly<Record<string, string>> = {}): string {
  return messagesFor(language, overrides)[key];
}
