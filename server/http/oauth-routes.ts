import { constantTimeEqual } from '@oslojs/crypto/subtle';
import {
  ArcticFetchError,
  generateCodeVerifier,
  generateState,
  OAuth2RequestError,
  UnexpectedErrorResponseBodyError,
  UnexpectedResponseError,
} from 'arctic';
import { Elysia } from 'elysia';
import { claimFlowState, issueFlowState, type FlowState } from '../auth/oauth/flow-state';
import { resolveAccount, type AccountOutcome } from '../auth/oauth/accounts';
import { OidcDiscovery } from '../auth/oauth/oidc';
import { ProviderError, signInProvidersOf, type SignInProvider } from '../auth/oauth/providers';
import { clientIp, fetchSiteAllowed } from '../auth/origin';
import { hashingParams } from '../auth/password';
import { validateSessionToken } from '../auth/session';
import { secureCookiesOf, sessionTokenFrom } from '../auth/session-cookie';
import type { Runtime } from '../runtime';
import { OAUTH_ENDPOINT_PREFIX } from '../state/protocol';
import { safeNextPath } from '../state/redirect';
import { signInRouteFailed, startSignIn } from './start-sign-in';

/** The state cookie's name (with the `__Host-` prefix over https, as the session cookie). */
const STATE_COOKIE = 'statehouse_oauth';

/** Why a provider sign-in was refused, as `?error=` on the page it lands on (the login page's messages name each). */
export const OAUTH_ERRORS = {
  state: 'oauth_state',
  denied: 'oauth_denied',
  failed: 'oauth_failed',
  accountExists: 'oauth_account_exists',
  signupClosed: 'oauth_signup_closed',
  inactive: 'oauth_inactive',
  identityTaken: 'oauth_identity_taken',
  tooMany: 'oauth_too_many',
} as const;
type OAuthError = (typeof OAUTH_ERRORS)[keyof typeof OAUTH_ERRORS];

const ACCOUNT_ERRORS: Record<Extract<AccountOutcome, { ok: false }>['reason'], OAuthError> = {
  account_exists: OAUTH_ERRORS.accountExists,
  signup_closed: OAUTH_ERRORS.signupClosed,
  inactive: OAUTH_ERRORS.inactive,
  identity_taken: OAUTH_ERRORS.identityTaken,
};

function stateCookieName(secure: boolean): string {
  return secure ? `__Host-${STATE_COOKIE}` : STATE_COOKIE;
}

function stateCookie(secure: boolean, value: string, maxAgeSeconds: number): string {
  return new Bun.Cookie(stateCookieName(secure), value, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure,
    maxAge: maxAgeSeconds,
  }).serialize();
}

function sameText(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  return x.length === y.length && constantTimeEqual(x, y);
}

/** `path` with `?error=code` added (or replaced). */
function withError(path: string, code: OAuthError): string {
  const url = new URL(path, 'http://statehouse.invalid');
  url.searchParams.set('error', code);
  return url.pathname + url.search;
}

/**
 * Sign-in with a provider (docs/oauth-and-email-links.md):
 * `GET /auth/oauth/<provider>[?next=/path][&intent=connect]` starts the flow
 * (state, PKCE verifier and nonce sealed in an `oauth_state` row whose
 * secret only the browser's HttpOnly state cookie holds) and redirects to the
 * provider; `GET /auth/oauth/<provider>/callback` checks it all, finds or
 * makes the account, and starts the session (`startSignIn`). Every failure
 * lands on the login page (a connect: the page it began on) with `?error=`.
 */
export function oauthRoutes(runtime: Runtime, options: { discovery?: OidcDiscovery } = {}) {
  const { config, db, log, limiter } = runtime;
  const providers = signInProvidersOf(config, options.discovery ?? new OidcDiscovery());
  const ttlSeconds = Math.floor(config.oauth.stateTtlMs / 1000);

  /** The callback URL the provider must send the browser back to. */
  function redirectUri(request: Request, provider: SignInProvider): string {
    const base = config.publicUrl?.replace(/\/$/, '') ?? new URL(request.url).origin;
    return `${base}${OAUTH_ENDPOINT_PREFIX}/${provider.id}/callback`;
  }

  function redirect(to: string, headers = new Headers()): Response {
    headers.set('location', to);
    headers.set('cache-control', 'no-store');
    return new Response(null, { status: 303, headers });
  }

  /** The user the browser's session cookie names, if it is live. */
  async function cookieUserId(request: Request, secure: boolean): Promise<number | null> {
    const token = sessionTokenFrom(config, request.headers.get('cookie'), secure);
    if (!token) return null;
    return (await validateSessionToken(runtime.sessions, runtime.sessionSettings, token)).user?.id ?? null;
  }

  async function start(request: Request, peer: string, provider: SignInProvider): Promise<Response> {
    const url = new URL(request.url);
    const secure = secureCookiesOf(config, request, peer);
    const connect = url.searchParams.get('intent') === 'connect';
    const next = safeNextPath(url.searchParams.get('next'));
    const failTo = connect ? (next ?? config.auth.loginRedirectUrl) : config.auth.loginUrl;
    const ip = await limiter.hitIp('oauth', clientIp(config, request, peer));
    if (!ip.ok) return redirect(withError(failTo, OAUTH_ERRORS.tooMany));
    let userId: number | null = null;
    if (connect) {
      // Linking an account to the signed-in user: only from a page of this site.
      if (!fetchSiteAllowed(request)) return new Response('Forbidden', { status: 403, headers: { 'cache-control': 'no-store' } });
      userId = await cookieUserId(request, secure);
      if (userId === null) return redirect(config.auth.loginUrl);
    }
    const flow: FlowState = {
      provider: provider.id,
      state: generateState(),
      codeVerifier: generateCodeVerifier(),
      nonce: generateState(),
      next,
      intent: connect ? 'connect' : 'sign-in',
      userId,
    };
    let target: URL;
    try {
      target = await provider.authorizationUrl(redirectUri(request, provider), flow);
    } catch (error) {
      log.warn('provider sign-in could not start', { provider: provider.id, error: describe(error) });
      return redirect(withError(failTo, OAUTH_ERRORS.failed));
    }
    const cookie = await issueFlowState(db, flow, config.oauth.stateTtlMs);
    const headers = new Headers({ 'set-cookie': stateCookie(secure, cookie, ttlSeconds) });
    headers.set('location', target.href);
    headers.set('cache-control', 'no-store');
    headers.set('referrer-policy', 'no-referrer');
    return new Response(null, { status: 302, headers });
  }

  async function callback(request: Request, peer: string, provider: SignInProvider): Promise<Response> {
    const url = new URL(request.url);
    const secure = secureCookiesOf(config, request, peer);
    const cookies = new Bun.CookieMap(request.headers.get('cookie') ?? '');
    // Whatever happens, the state cookie goes: a flow is tried once.
    const headers = new Headers({ 'set-cookie': stateCookie(secure, '', 0) });
    const flow = await claimFlowState(db, cookies.get(stateCookieName(secure)));
    const fail = (code: OAuthError) => {
      const to = flow?.intent === 'connect' ? (flow.next ?? config.auth.loginRedirectUrl) : config.auth.loginUrl;
      return redirect(withError(to, code), headers);
    };
    const state = url.searchParams.get('state') ?? '';
    if (!flow || flow.provider !== provider.id || !sameText(state, flow.state)) {
      log.warn('provider sign-in refused: state', { provider: provider.id, flow: flow ? 'mismatch' : 'missing' });
      return fail(OAUTH_ERRORS.state);
    }
    const providerError = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (providerError !== null || !code) {
      log.info('provider sign-in refused by the provider', { provider: provider.id, error: (providerError ?? 'no code').slice(0, 64) });
      return fail(OAUTH_ERRORS.denied);
    }
    const ip = clientIp(config, request, peer);
    let profile: Awaited<ReturnType<SignInProvider['profile']>>;
    try {
      profile = await provider.profile(redirectUri(request, provider), code, flow);
    } catch (error) {
      log.warn('provider sign-in failed', { provider: provider.id, ip, error: describe(error) });
      return fail(OAUTH_ERRORS.failed);
    }
    if (flow.intent === 'connect' && (await cookieUserId(request, secure)) !== flow.userId) return fail(OAUTH_ERRORS.state);
    const key = config.oauth.storeTokens && config.oauth.tokenKey ? Buffer.from(config.oauth.tokenKey, 'base64') : null;
    const outcome = await resolveAccount(db, profile, {
      config,
      hashing: hashingParams(config, runtime.hashing),
      connectUserId: flow.intent === 'connect' ? flow.userId : null,
      tokens: key ? { key, accessToken: profile.accessToken, refreshToken: profile.refreshToken } : null,
    });
    if (!outcome.ok) {
      log.info('provider sign-in refused', { provider: provider.id, ip, reason: outcome.reason });
      return fail(ACCOUNT_ERRORS[outcome.reason]);
    }
    if (outcome.created) log.info('signup', { userId: outcome.user.id, method: `oauth:${provider.id}` });
    if (outcome.linked) {
      const account = { id: outcome.user.id, username: outcome.user.username };
      const userAgent = request.headers.get('user-agent') ?? '';
      // Written now, not after the answer: a sign-in that follows writes its own row at once, and comes after.
      await runtime.audit.write({
        type: 'provider.connected',
        actor: account,
        ip,
        userAgent,
        via: 'http',
        detail: { provider: provider.id },
      });
    }
    if (flow.intent === 'connect') {
      log.info('provider connected', { userId: outcome.user.id, provider: provider.id });
      return redirect(flow.next ?? config.auth.loginRedirectUrl, headers);
    }
    return startSignIn(runtime, request, peer, outcome.user, {
      method: `oauth:${provider.id}`,
      to: flow.next ?? config.auth.loginRedirectUrl,
      headers,
      amr: profile.amr,
    });
  }

  const notFound = () => new Response('Not found', { status: 404, headers: { 'cache-control': 'no-store' } });
  // Async handlers: Elysia catches (and hands to onError) only what a handler it awaits throws.
  return new Elysia({ name: 'statehouse-oauth-routes' })
    .onError(signInRouteFailed(log, 'provider sign-in'))
    .get(`${OAUTH_ENDPOINT_PREFIX}/:provider`, async ({ params, request, server }) => {
      const provider = providers.get(params.provider);
      return provider ? await start(request, server?.requestIP(request)?.address ?? '', provider) : notFound();
    })
    .get(`${OAUTH_ENDPOINT_PREFIX}/:provider/callback`, async ({ params, request, server }) => {
      const provider = providers.get(params.provider);
      return provider ? await callback(request, server?.requestIP(request)?.address ?? '', provider) : notFound();
    });
}

/** A provider failure for the log: its kind and code, never a token or a body that could hold one. */
function describe(error: unknown): string {
  if (error instanceof OAuth2RequestError) return `oauth2 ${error.code}`;
  if (error instanceof UnexpectedResponseError) return `unexpected response ${error.status}`;
  if (error instanceof UnexpectedErrorResponseBodyError) return `unexpected error body ${error.status}`;
  if (error instanceof ArcticFetchError) return 'provider unreachable';
  if (error instanceof ProviderError) return error.message;
  return error instanceof Error ? error.name : 'unknown';
}
