import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

/**
 * OpenID Connect discovery and ID-token verification. The ID token is
 * checked with `jose` against the keys the issuer publishes (its JWKS, cached
 * and refetched on an unknown `kid`): the signature with an asymmetric
 * algorithm only (never `none` nor an HMAC keyed by the public client id),
 * `iss` = the discovered issuer, `aud` = our client id, `exp` / `nbf` /
 * `iat` with a minute of clock skew, and `nonce` = the one sealed in the
 * browser's flow state (compared in constant time).
 */

/** The signature algorithms an ID token may use. */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const CLOCK_TOLERANCE_SECONDS = 60;
/** How long a discovery document is kept before it is fetched again. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const FETCH_TIMEOUT_MS = 10_000;

const discoveryDocument = z.object({
  issuer: z.string().url(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  jwks_uri: z.string().url(),
  userinfo_endpoint: z.string().url().optional(),
});

export interface OidcIssuer {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  keys: JWTVerifyGetKey;
}

/** What an ID token says of its user, once verified. */
export interface IdTokenClaims {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  preferredUsername: string | null;
  /** Authentication methods the provider used (`amr`), for `oauth.trustProviderMfa`. */
  amr: string[];
}

/** An ID token or discovery document that must not be believed. */
export class IdTokenError extends Error {
  override readonly name = 'IdTokenError';
}

/**
 * Fetches and caches an issuer's discovery document (one per issuer URL,
 * refreshed hourly). The document's `issuer` must be the configured one
 * (OpenID Connect Discovery §4.3): a document naming another issuer is refused.
 */
export class OidcDiscovery {
  private readonly cache = new Map<string, { at: number; value: Promise<OidcIssuer> }>();

  constructor(private readonly fetchImpl: typeof fetch = fetch) {}

  issuer(issuerUrl: string, now: number = Date.now()): Promise<OidcIssuer> {
    const cached = this.cache.get(issuerUrl);
    if (cached && now - cached.at < DISCOVERY_TTL_MS) return cached.value;
    const value = this.discover(issuerUrl);
    this.cache.set(issuerUrl, { at: now, value });
    // A failed discovery is not kept: the next sign-in tries again.
    value.catch(() => this.cache.delete(issuerUrl));
    return value;
  }

  private async discover(issuerUrl: string): Promise<OidcIssuer> {
    const url = `${issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await this.fetchImpl(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
    if (!response.ok) throw new IdTokenError(`discovery answered ${response.status}`);
    const parsed = discoveryDocument.safeParse(await response.json());
    if (!parsed.success) throw new IdTokenError('discovery document is malformed');
    const doc = parsed.data;
    if (doc.issuer.replace(/\/$/, '') !== issuerUrl.replace(/\/$/, '')) throw new IdTokenError('discovery names another issuer');
    return {
      issuer: doc.issuer,
      authorizationEndpoint: doc.authorization_endpoint,
      tokenEndpoint: doc.token_endpoint,
      keys: createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: FETCH_TIMEOUT_MS }),
    };
  }
}

/**
 * Verifies an ID token (see the module comment) and returns its claims.
 * Throws {@link IdTokenError} for any token that fails a check.
 *
 * @example
 * const claims = await verifyIdToken(tokens.idToken(), issuer, { clientId, nonce: flow.nonce });
 */
export async function verifyIdToken(
  idToken: string,
  issuer: OidcIssuer,
  expected: { clientId: string; nonce: string },
): Promise<IdTokenClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(idToken, issuer.keys, {
      issuer: issuer.issuer,
      audience: expected.clientId,
      algorithms: ASYMMETRIC_ALGORITHMS,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (error) {
    const reason = error instanceof joseErrors.JOSEError ? error.code : 'unreadable';
    throw new IdTokenError(`ID token refused: ${reason}`);
  }
  // Several audiences: the authorized party must be us (OIDC Core §3.1.3.7).
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expected.clientId) {
    throw new IdTokenError('ID token refused: azp');
  }
  const nonce = typeof payload.nonce === 'string' ? payload.nonce : '';
  const encoder = new TextEncoder();
  const given = encoder.encode(nonce);
  const wanted = encoder.encode(expected.nonce);
  if (given.length !== wanted.length || !constantTimeEqual(given, wanted)) throw new IdTokenError('ID token refused: nonce');
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255) {
    throw new IdTokenError('ID token refused: sub');
  }
  const text = (value: unknown, max = 254) => (typeof value === 'string' && value.length > 0 && value.length <= max ? value : null);
  return {
    subject: payload.sub,
    email: text(payload.email),
    emailVerified: payload.email_verified === true,
    name: text(payload.name),
    preferredUsername: text(payload.preferred_username, 150),
    amr: Array.isArray(payload.amr) ? payload.amr.filter((m): m is string => typeof m === 'string') : [],
  };
}
