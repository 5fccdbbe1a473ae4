/** The methods that must not change state (RFC 9110's safe methods a browser sends). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request method may change state: every method but GET, HEAD and
 * OPTIONS, custom ones included (PROPFIND, MKCOL, PURGE, …). Such a request
 * needs an allowed `Origin`, and only such a request may write the session.
 */
export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method);
}
