import type { Connection } from '../bridge/connection';
import { defineSlice } from '../state/slices';
import { directionOf, type TextDirection } from './catalog';
import { LANGUAGE_COOKIE, matchLanguage } from './negotiate';

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

/**
 * Pushes a session's new language to another open tab of that session (its
 * own language cookie, if any, still wins).
 */
export function pushLanguageTo(conn: Connection, sessionId: string, code: string, languages: readonly string[]): void {
  conn.rememberSessionLanguage(sessionId, code);
  const effective = matchLanguage(conn.cookies.get(LANGUAGE_COOKIE), languages) ?? code;
  const next = languageStateOf(effective);
  const values = conn.slices.get(I18N_SLICE);
  if (!values) return;
  const delta: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(next)) {
    if (values[field] !== value) delta[field] = values[field] = value;
  }
  if (Object.keys(delta).length > 0) conn.push({ [I18N_SLICE]: delta }, []);
}
