import { CodeChallengeMethod, OAuth2Client, type OAuth2Tokens } from 'arctic';
import { z } from 'zod';
import type { StatehouseConfig } from '../../config';
import { providerLabels } from './provider-labels';
import { IdTokenError, type OidcDiscovery, verifyIdToken } from './oidc';

/**
 * The sign-in providers of a config, on `arctic`'s OAuth 2.0 client. Every
 * one uses the authorization code flow with PKCE (S256) and a `state`;
 * OpenID Connect providers (Google, and any issuer found by discovery) also
 * a `nonce` and a verified ID token. GitHub speaks plain OAuth 2.0: its
 * profile and verified address come from its REST API.
 */

/** Who the provider says signed in, once every check passed. */
export interface ProviderProfile {
  provider: string;
  subject: string;
  email: string | null;
  /** Whether the provider vouches for the address (`email_verified`, GitHub's `verified`). */
  emailVerified: boolean;
  /** A username to suggest for a new account. */
  username: string | null;
  /** Authentication methods the provider reports (`amr`), for `oauth.trustProviderMfa`. */
  amr: string[];
  accessToken: string;
  refreshToken: string | null;
}

export interface SignInProvider {
  /** The id in routes and rows: `github`, `google`, or the OIDC provider's name. */
  readonly id: string;
  /** The name on **Continue with <Provider name>**. */
  readonly label: string;
  authorizationUrl(redirectUri: string, flow: { state: string; codeVerifier: string; nonce: string }): Promise<URL>;
  /** Exchanges the code (with the PKCE verifier) and returns the checked profile. */
  profile(redirectUri: string, code: string, flow: { codeVerifier: string; nonce: string }): Promise<ProviderProfile>;
}

/** A provider that answered something that must not be believed (bad ID token, malformed profile). */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
}

const GOOGLE_ISSUER = 'https://accounts.google.com';
const GITHUB_AUTHORIZE = 'https://github.com/login/oauth/authorize';
const GITHUB_TOKEN = 'https://github.com/login/oauth/access_token';
const GITHUB_API = 'https://api.github.com';
const FETCH_TIMEOUT_MS = 10_000;

function refreshTokenOf(tokens: OAuth2Tokens): string | null {
  return tokens.hasRefreshToken() ? tokens.refreshToken() : null;
}

function oidcProvider(
  id: string,
  label: string,
  settings: { clientId: string; clientSecret: string; issuer: string },
  discovery: OidcDiscovery,
): SignInProvider {
  return {
    id,
    label,
    async authorizationUrl(redirectUri, flow) {
      const issuer = await discovery.issuer(settings.issuer);
      const client = new OAuth2Client(settings.clientId, settings.clientSecret, redirectUri);
      const url = client.createAuthorizationURLWithPKCE(
        issuer.authorizationEndpoint,
        flow.state,
        CodeChallengeMethod.S256,
        flow.codeVerifier,
        ['openid', 'email', 'profile'],
      );
      url.searchParams.set('nonce', flow.nonce);
      return url;
    },
    async profile(redirectUri, code, flow) {
      const issuer = await discovery.issuer(settings.issuer);
      const client = new OAuth2Client(settings.clientId, settings.clientSecret, redirectUri);
      const tokens = await client.validateAuthorizationCode(issuer.tokenEndpoint, code, flow.codeVerifier);
      let idToken: string;
      try {
        idToken = tokens.idToken();
      } catch {
        throw new ProviderError('the token endpoint sent no ID token');
      }
      try {
        const claims = await verifyIdToken(idToken, issuer, { clientId: settings.clientId, nonce: flow.nonce });
        return {
          provider: id,
          subject: claims.subject,
          email: claims.email,
          emailVerified: claims.emailVerified,
          username: claims.preferredUsername ?? claims.email?.split('@')[0] ?? null,
          amr: claims.amr,
          accessToken: tokens.accessToken(),
          refreshToken: refreshTokenOf(tokens),
        };
      } catch (error) {
        if (error instanceof IdTokenError) throw new ProviderError(error.message);
        throw error;
      }
    },
  };
}

const githubUser = z.object({ id: z.number().int(), login: z.string().max(150) });
const githubEmails = z.array(z.object({ email: z.string().max(254), primary: z.boolean(), verified: z.boolean() }));

function githubProvider(label: string, settings: { clientId: string; clientSecret: string }, fetchImpl: typeof fetch): SignInProvider {
  async function api<T>(path: string, accessToken: string, schema: z.ZodType<T>): Promise<T> {
    const response = await fetchImpl(`${GITHUB_API}${path}`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/vnd.github+json', 'user-agent': 'statehouse' },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) throw new ProviderError(`GitHub ${path} answered ${response.status}`);
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success) throw new ProviderError(`GitHub ${path} is malformed`);
    return parsed.data;
  }
  return {
    id: 'github',
    label,
    async authorizationUrl(redirectUri, flow) {
      const client = new OAuth2Client(settings.clientId, settings.clientSecret, redirectUri);
      return client.createAuthorizationURLWithPKCE(GITHUB_AUTHORIZE, flow.state, CodeChallengeMethod.S256, flow.codeVerifier, [
        'read:user',
        'user:email',
      ]);
    },
    async profile(redirectUri, code, flow) {
      const client = new OAuth2Client(settings.clientId, settings.clientSecret, redirectUri);
      const tokens = await client.validateAuthorizationCode(GITHUB_TOKEN, code, flow.codeVerifier);
      const accessToken = tokens.accessToken();
      const user = await api('/user', accessToken, githubUser);
      const emails = await api('/user/emails', accessToken, githubEmails);
      const primary = emails.find((e) => e.primary && e.verified) ?? null;
      return {
        provider: 'github',
        subject: String(user.id),
        email: primary?.email ?? null,
        emailVerified: primary !== null,
        username: user.login,
        amr: [],
        accessToken,
        refreshToken: refreshTokenOf(tokens),
      };
    },
  };
}

/**
 * The configured providers by id (`oauth.providers`): `github`, `google`
 * (OIDC at Google's issuer unless one is given), and OIDC providers.
 */
export function signInProvidersOf(
  config: StatehouseConfig,
  discovery: OidcDiscovery,
  fetchImpl: typeof fetch = fetch,
): Map<string, SignInProvider> {
  const providers = new Map<string, SignInProvider>();
  for (const { id, label } of providerLabels(config)) {
    const settings = config.oauth.providers[id]!;
    if (id === 'github') providers.set(id, githubProvider(label, settings, fetchImpl));
    else providers.set(id, oidcProvider(id, label, { ...settings, issuer: settings.issuer ?? GOOGLE_ISSUER }, discovery));
  }
  return providers;
}
