/**
 * Reads a `Cookie` header: the one parser the socket (its cookie mirror) and
 * HTTP (the identity plugin, the cookie endpoints, `request.cookies`) share.
 *
 * A name sent twice with different values is left out. A browser sends one
 * name twice only for cookies that differ in Path or Domain, which the
 * header does not carry, so the server cannot tell the site's own cookie
 * from one a sibling subdomain or an `http://` response planted (browsers
 * even send a longer Path first). Picking either would let the planter
 * choose the identity (login CSRF); leaving both out makes it, at worst, an
 * anonymous visit.
 *
 * @example
 * readCookieHeader('a=1; b=2; a=3'); // Map { 'b' => '2' }
 */
export function readCookieHeader(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  let ambiguous: Set<string> | null = null;
  // Bun.CookieMap decodes values; its iterator yields every pair, repeats included.
  for (const [name, value] of new Bun.CookieMap(header)) {
    const seen = cookies.get(name);
    if (seen === undefined) {
      if (!ambiguous?.has(name)) cookies.set(name, value);
    } else if (seen !== value) {
      cookies.delete(name);
      (ambiguous ??= new Set()).add(name);
    }
  }
  return cookies;
}
