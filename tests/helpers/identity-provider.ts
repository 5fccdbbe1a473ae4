import { Events, OAuth2Server } from 'oauth2-mock-server';

/**
 * A real OpenID Connect provider in the test process (`oauth2-mock-server`):
 * discovery, a JWKS, RS256-signed ID tokens, a token endpoint that checks
 * PKCE. It signs in whoever asks; what it says of them is set per test with
 * `nextUser`, and any one answer can be altered through `server.service`.
 */
export interface TestIdentityProvider {
  server: OAuth2Server;
  /** The issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  /** The claims the next ID tokens carry (`sub`, `email`, `email_verified`, …), until changed. */
  nextUser(claims: Record<string, unknown>): void;
  stop(): Promise<void>;
}

export async function startIdentityProvider(): Promise<TestIdentityProvider> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  let claims: Record<string, unknown> = {
    sub: 'alice-at-provider',
    email: 'alice@provider.test',
    email_verified: true,
    preferred_username: 'alice',
  };
  // After the server's own claims (`sub: johndoe`, the nonce): ours win, on every token it signs.
  server.service.on(Events.BeforeTokenSigning, (token) => {
    Object.assign(token.payload, claims);
  });
  return {
    server,
    issuer: server.issuer.url!,
    nextUser(next) {
      claims = next;
    },
    stop: () => server.stop(),
  };
}
