/**
 * Open-redirect guard shared by server and client: only same-origin relative
 * paths pass (`/notes?x=1`); absolute URLs, protocol-relative `//evil`,
 * backslash tricks, `javascript:` and control characters fall back.
 *
 * @example
 * safeNextPath('/notes') // '/notes'
 * safeNextPath('//evil.example') // null
 */
export function safeNextPath(next: string | null | undefined): string | null {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return null;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  // Control characters, whitespace and backslashes make browsers reinterpret the URL.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is what it is for
  if (/[\u0000-\u001f\u007f\s\\]/.test(next)) return null;
  try {
    const base = 'http://statehouse.invalid';
    const url = new URL(next, base);
    if (url.origin !== base) return null;
    const path = url.pathname + url.search + url.hash;
    // Dot segments can fold into a protocol-relative `//host` (`/..//evil`): re-check.
    return path.startsWith('//') ? null : path;
  } catch {
    return null;
  }
}

/** `loginUrl?next=<path>` with the path encoded. */
export function loginUrlWithNext(loginUrl: string, path: string, query = ''): string {
  const next = safeNextPath(path + (query && !query.startsWith('?') ? `?${query}` : query));
  if (!next || next === loginUrl) return loginUrl;
  return `${loginUrl}?next=${encodeURIComponent(next)}`;
}
