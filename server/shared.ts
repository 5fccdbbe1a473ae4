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
export {
  CATALOGS,
  directionOf,
  LANGUAGE_DIRECTIONS,
  messageFor,
  messagesFor,
  type MessageKey,
  type Messages,
  type TextDirection,
} from './i18n/catalog';
export { I18N_SLICE, i18nSlice, languageStateOf } from './i18n/slice';
