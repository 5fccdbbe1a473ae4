import { defineSlice } from '../state/slices';
import { directionOf, type TextDirection } from './catalog';

/** Slice name of the tab's language. */
export const I18N_SLICE = 'i18n';

/**
 * The tab's language and text direction, seeded when the tab subscribes and
 * changed by `i18n.setLanguage`, so the client re-renders (and sets
 * `<html lang dir>`) from a delta.
 */
export const i18nSlice = defineSlice(I18N_SLICE, { language: 'en', dir: 'ltr' as TextDirection });

/** The slice values of a language. */
export function languageStateOf(language: string): { language: string; dir: TextDirection } {
  return { language, dir: directionOf(language) };
}
