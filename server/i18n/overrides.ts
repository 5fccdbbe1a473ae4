/**
 * How text overrides apply to a catalog, for the shared catalog, the auth
 * pages' and the admin console's texts alike. Imports nothing.
 */

/**
 * The base language of a tag: `ar-EG` → `ar`.
 *
 * @example
 * baseLanguageOf('pt_BR'); // 'pt'
 */
export function baseLanguageOf(code: string): string {
  return code.split(/[-_]/)[0]!.toLowerCase();
}

/**
 * A catalog of `language` with `overrides` applied, for keys `known` has: a
 * plain key replaces a text in every language, `lang.key` in `language`
 * only, and wins. Keys outside `known` are ignored; without any override
 * that applies, `catalog` itself is answered.
 *
 * @example
 * withOverrides(AR, EN, 'ar', { 'ar.save': 'احفظ' }).save; // 'احفظ'
 */
export function withOverrides<K extends string>(
  catalog: Readonly<Record<K, string>>,
  known: Readonly<Record<K, string>>,
  language: string,
  overrides: Readonly<Record<string, string>>,
): Readonly<Record<K, string>> {
  let out: Record<string, string> | null = null;
  let scoped: [string, string][] | null = null;
  for (const [key, value] of Object.entries(overrides)) {
    const dot = key.lastIndexOf('.');
    if (dot === -1) {
      if (Object.hasOwn(known, key)) (out ??= { ...catalog })[key] = value;
    } else if (key.slice(0, dot).toLowerCase() === language.toLowerCase() && Object.hasOwn(known, key.slice(dot + 1))) {
      (scoped ??= []).push([key.slice(dot + 1), value]);
    }
  }
  if (scoped) for (const [key, value] of scoped) (out ??= { ...catalog })[key] = value;
  return (out as Record<K, string> | null) ?? catalog;
}
