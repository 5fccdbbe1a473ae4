/**
 * A browser's part in a redirect flow, by hand: one cookie jar per "browser",
 * every redirect followed explicitly (`redirect: 'manual'`), so a test sees
 * each hop, each `Set-Cookie` and where each one leads.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** The `Cookie` header for a request. */
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** Takes in a response's `Set-Cookie` headers (an expired one is dropped). */
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const cookie = Bun.Cookie.parse(line);
      if (cookie.value === '' || cookie.maxAge === 0) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  /** One GET as a browser would send it (a top-level navigation), keeping cookies. */
  async get_(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header();
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.take(response);
    return response;
  }
}

/** Where a redirect points, resolved against the URL that answered it. */
export function locationOf(response: Response, base: string): string {
  const location = response.headers.get('location');
  if (!location) throw new Error(`expected a redirect, got ${response.status}`);
  return new URL(location, base).href;
}

/** Presses **Sign in** on an emailed sign-in link's page (its form posts `token` from the app's origin), as the browser in `jar`. */
export function pressSignInLink(jar: CookieJar, baseUrl: string, token: string): Promise<Response> {
  return jar.get_(`${baseUrl}/auth/link`, {
    method: 'POST',
    headers: { origin: baseUrl, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ token }).toString(),
  });
}

/** A sign-in with the test provider (`OIDC_TEST`) in `jar`, from its start (`next=/notes`) to the callback's answer. */
export async function providerSignIn(jar: CookieJar, baseUrl: string): Promise<Response> {
  const begin = await jar.get_(`${baseUrl}/auth/oauth/test?next=/notes`);
  const answer = await fetch(locationOf(begin, baseUrl), { redirect: 'manual' });
  return jar.get_(locationOf(answer, baseUrl));
}
