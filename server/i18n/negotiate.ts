/**
 * Language negotiation: which of the configured languages an event speaks.
 * Pure functions; the request objects call them lazily.
 */

/** Cookie naming the visitor's language; it wins over everything else. */
export const LANGUAGE_COOKIE = 'statehouse_language';

/** Session key written by `i18n.setLanguage`. */
export const LANGUAGE_SESSION_KEY = 'language';

/** Longest `Accept-Language` header looked at, and most entries taken from it. */
export const MAX_ACCEPT_LANGUAGE_LENGTH = 1024;
const MAX_ENTRIES = 32;

/** Where a language can come from, in order of precedence. */
export interface LanguageSources {
  cookie?: string | null | undefined;
  session?: unknown;
  acceptLanguage?: string | null | undefined;
}

/**
 * The tags of an `Accept-Language` header, best first: sorted by q-value
 * (ties keep header order), `q=0` and `*` dropped.
 *
 * @example
 * parseAcceptLanguage('en;q=0.5, ar-EG'); // ['ar-EG', 'en']
 */
export function parseAcceptLanguage(header: string | null | undefined): string[] {
  if (!header) return [];
  const entries: { tag: string; q: number; index: number }[] = [];
  const parts = header.slice(0, MAX_ACCEPT_LANGUAGE_LENGTH).split(',');
  for (let index = 0; index < parts.length && entries.length < MAX_ENTRIES; index++) {
    const [rawTag, ...params] = parts[index]!.split(';');
    const tag = rawTag!.trim();
    if (!tag || tag === '*' || !/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)) continue;
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split('=').map((s) => s.trim());
      if (name?.toLowerCase() === 'q') q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value ?? '') ? Number(value) : 0;
    }
    if (q > 0) entries.push({ tag, q, index });
  }
  return entries.sort((a, b) => b.q - a.q || a.index - b.index).map((e) => e.tag);
}

/**
 * The configured language a tag stands for: the same tag, else its base
 * language (`ar-EG` → `ar`), else a configured variant of that base
 * (`pt` → `pt-br`). Case-insensitive; answers the configured spelling.
 *
 * @example
 * matchLanguage('ar-EG', ['en', 'ar']); // 'ar'
 * matchLanguage('fr', ['en', 'ar']); // null
 */
export function matchLanguage(tag: unknown, languages: readonly string[]): string | null {
  if (typeof tag !== 'string' || tag.length === 0 || tag.length > 35) return null;
  const wanted = tag.toLowerCase().replace(/_/g, '-');
  const base = wanted.split('-')[0]!;
  let variant: string | null = null;
  let generic: string | null = null;
  for (const code of languages) {
    const lower = code.toLowerCase();
    if (lower === wanted) return code;
    if (lower === base) generic ??= code;
    else if (lower.startsWith(`${base}-`)) variant ??= code;
  }
  return generic ?? variant;
}

/**
 * The language of a request: the language cookie, then the session's
 * choice, then `Accept-Language` (q-values honoured), each restricted to
 * `languages`; else the first configured language.
 *
 * @example
 * negotiateLanguage(['en', 'ar'], { acceptLanguage: 'fr, ar-EG;q=0.8' }); // 'ar'
 */
export function negotiateLanguage(languages: readonly string[], sources: LanguageSources): string {
  return (
    matchLanguage(sources.cookie, languages) ??
    matchLanguage(sources.session, languages) ??
    acceptedLanguage(sources.acceptLanguage, languages) ??
    languages[0]!
  );
}

/** Most headers remembered per list of languages (a browser sends the same one with every request). */
const ACCEPTED_MEMO_MAX = 256;
const acceptedMemo = new WeakMap<readonly string[], Map<string, string | null>>();

/**
 * The best configured language named by an `Accept-Language` header, or
 * `null`. Remembered per header for each list of languages (up to
 * {@link ACCEPTED_MEMO_MAX} headers, then started afresh): the tabs of a
 * reconnect wave send a few distinct headers thousands of times.
 */
export function acceptedLanguage(header: string | null | undefined, languages: readonly string[]): string | null {
  if (!header) return null;
  let memo = acceptedMemo.get(languages);
  const known = memo?.get(header);
  if (known !== undefined) return known;
  let found: string | null = null;
  for (const tag of parseAcceptLanguage(header)) {
    found = matchLanguage(tag, languages);
    if (found) break;
  }
  if (!memo) acceptedMemo.set(languages, (memo = new Map()));
  else if (memo.size >= ACCEPTED_MEMO_MAX) memo.clear();
  memo.set(header, found);
  return found;
}
