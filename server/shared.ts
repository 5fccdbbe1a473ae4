/**
 * What the server and the browser share, safe in the client bundle: the wire
 * contract of the state link, slice definitions, safe redirects and the
 * auth pages' message catalog. Nothing here imports server-only code (a test
 * walks its imports); the client imports these only through this file.
 *
 * @example
 * import { defineSlice, type SlicesOf } from 'statehouse/shared';
 * export const dashboard = defineSlice('dashboard', { tab: 'overview' });
 */
export * from './state/protocol';
export { defineSlice, type SliceDefinition, type SlicesOf, type SliceValue } from './state/slices';
export { loginUrlWithNext, safeNextPath } from './state/redirect';
// Every catalog, for code that must speak any language at once (the server).
export { CATALOGS, directionOf, LANGUAGE_DIRECTIONS, messageFor, messagesFor, type TextDirection } from './i18n/catalog';
// One language each, for the browser: it bundles English and fetches the others as chunks.
export { EN as EN_MESSAGES, EN_SERVER_TEXTS, type MessageKey, type Messages } from './i18n/catalog-en';
// The parts of English, so a page bundles only the texts it can show.
export { EN_BROWSER_TEXTS, type BrowserTextKey, type BrowserTexts } from './i18n/catalog-en-browser';
export { EN_ACCOUNT_TEXTS, type AccountTextKey, type AccountTexts } from './i18n/catalog-en-account';
export { AR as AR_MESSAGES } from './i18n/catalog-ar';
export { baseLanguageOf, withOverrides } from './i18n/overrides';
export { I18N_SLICE, i18nSlice, languageStateOf } from './i18n/slice';
export { LANGUAGE_COOKIE } from './i18n/negotiate';
