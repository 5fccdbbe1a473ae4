import type { StatehouseConfigInput } from '../../server';

/** A server config with one OpenID Connect provider, `test`, at `issuer`. */
export function OIDC_TEST(issuer: string, extra: { label?: string } = {}): StatehouseConfigInput {
  return { oauth: { providers: { test: { clientId: 'statehouse-test', clientSecret: 'test-secret', issuer, ...extra } } } };
}
