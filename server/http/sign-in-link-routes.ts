import { Elysia } from 'elysia';
import { clientIp, fetchSiteAllowed, originAllowed } from '../auth/origin';
import { splitToken } from '../auth/secrets';
import { consumeUserToken } from '../auth/user-tokens';
import { findUserById } from '../auth/users';
import type { Runtime } from '../runtime';
import { SIGN_IN_LINK_ENDPOINT } from '../state/protocol';
import { AUTH_BODY_LIMIT_BYTES, readBodyWithin } from './body';
import { signInRouteFailed, startSignIn } from './start-sign-in';

/** Why an emailed link did not sign in, as `?error=` on the login page. */
export const LINK_INVALID = 'link_invalid';

/** The page a link opens: no script, no style, nothing from elsewhere; it only posts the token back. */
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // Not no-referrer: a form posted under it says `Origin: null`, which the Origin check refuses.
  // Same-origin still keeps the link from any other site.
  'referrer-policy': 'same-origin',
  'content-security-policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Emailed sign-in links (`auth.magicLink`): `GET /auth/link/<token>` shows a
 * page with one **Sign in** button, so that a mail scanner fetching the link
 * uses nothing; the button's `POST /auth/link` (Origin-checked, rate limited
 * per address) uses the token up and starts the session in this browser
 * (`startSignIn`: the HttpOnly cookie is set by the answer itself). A used,
 * expired or unknown link lands on the login page with `?error=link_invalid`.
 */
export function signInLinkRoutes(runtime: Runtime) {
  const { config, db, log, limiter } = runtime;
  const invalid = () =>
    new Response(null, {
      status: 303,
      headers: { location: `${config.auth.loginUrl}?error=${LINK_INVALID}`, 'cache-control': 'no-store' },
    });

  return new Elysia({ name: 'statehouse-sign-in-link-routes' })
    .onError(signInRouteFailed(log, 'sign-in link'))
    .get(`${SIGN_IN_LINK_ENDPOINT}/:token`, ({ params }) => {
      const token = splitToken(params.token) ? params.token : null;
      if (!token) return invalid();
      const site = escapeHtml(config.siteName);
      const html =
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
        `<title>Sign in to ${site}</title></head><body><main><h1>Sign in to ${site}</h1>` +
        `<p>This signs you in on this browser.</p>` +
        `<form method="post" action="${SIGN_IN_LINK_ENDPOINT}"><input type="hidden" name="token" value="${escapeHtml(token)}">` +
        `<button type="submit">Sign in</button></form></main></body></html>`;
      return new Response(html, { headers: PAGE_HEADERS });
    })
    .post(SIGN_IN_LINK_ENDPOINT, async ({ request, server }) => {
      const peer = server?.requestIP(request)?.address ?? '';
      if (!originAllowed(config, request, peer) || !fetchSiteAllowed(request)) {
        return new Response('Forbidden', { status: 403, headers: { 'cache-control': 'no-store' } });
      }
      const ip = clientIp(config, request, peer);
      const budget = await limiter.hitIp('sign-in-link-use', ip);
      if (!budget.ok) return new Response('Too many requests', { status: 429, headers: { 'retry-after': String(budget.retryAfter) } });
      const body = await readBodyWithin(request, AUTH_BODY_LIMIT_BYTES);
      if (!body.ok) return new Response(null, { status: 413, headers: { connection: 'close' } });
      const token = new URLSearchParams(body.text).get('token');
      const userId = token ? await consumeUserToken(db, 'sign_in_link', token) : null;
      const user = userId === null ? null : await findUserById(db, userId);
      if (!user?.isActive) {
        log.info('sign-in link refused', { ip });
        return invalid();
      }
      return startSignIn(runtime, request, peer, user, { method: 'email-link', to: config.auth.loginRedirectUrl });
    });
}
