import { describe, expect, test } from 'bun:test';
import { ConfigError, DAY, HOUR, SECOND, loadConfig, sessionRedisUrlOf } from '../../server/config';

/** An empty environment, so the machine running the tests changes nothing. */
const NO_ENV = {};

/** The ConfigError a call throws (fails the test if it does not throw one). */
function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  test('an empty config fills every section with its defaults', () => {
    const config = loadConfig({}, NO_ENV);
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('file:data/statehouse.db');
    expect(config.auth.loginFields).toEqual(['username']);
    expect(config.auth.loginUrl).toBe('/login');
    expect(config.auth.cookieName).toBe('statehouse_session');
    expect(config.session).toEqual({
      inactivityTimeoutMs: 14 * DAY,
      renewalIntervalMs: 1 * HOUR,
      absoluteLifetimeMs: 30 * DAY,
      cacheTtlMs: 1 * SECOND,
      ticketTtlMs: 30 * SECOND,
      backend: 'libsql',
    });
    expect(config.password).toEqual({ memoryCost: 19_456, timeCost: 2, minLength: 8, maxLength: 256 });
    expect(config.contextProcessors).toEqual([]);
    expect(config.hooks).toEqual({});
  });

  test('a partial section keeps the defaults of the keys it leaves out', () => {
    const config = loadConfig({ session: { inactivityTimeoutMs: 2 * DAY } }, NO_ENV);
    expect(config.session.inactivityTimeoutMs).toBe(2 * DAY);
    expect(config.session.absoluteLifetimeMs).toBe(30 * DAY);
  });
});

describe('environment overrides', () => {
  test('environment variables win over the app config', () => {
    const config = loadConfig(
      { databaseUrl: 'file:app.db', port: 4000 },
      {
        DATABASE_URL: 'file:/tmp/env.db',
        PORT: '5000',
        AUTH_LOGIN_FIELDS: 'username, email',
        AUTH_SIGNUP_ENABLED: 'false',
        SESSION_INACTIVITY_TIMEOUT_MS: '60000',
        ALLOWED_ORIGINS: 'https://a.example,https://b.example',
        PASSWORD_MEMORY_COST: '65536',
      },
    );
    expect(config.databaseUrl).toBe('file:/tmp/env.db');
    expect(config.port).toBe(5000);
    expect(config.auth.loginFields).toEqual(['username', 'email']);
    expect(config.auth.signupEnabled).toBe(false);
    expect(config.session.inactivityTimeoutMs).toBe(60_000);
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.password.memoryCost).toBe(65_536);
  });

  test('an empty environment variable is ignored', () => {
    expect(loadConfig({}, { DATABASE_URL: '' }).databaseUrl).toBe('file:data/statehouse.db');
  });
});

describe('the session backend', () => {
  test('SESSION_BACKEND=redis takes SESSION_REDIS_URL, else the bus URL', () => {
    const own = loadConfig({}, { SESSION_BACKEND: 'redis', SESSION_REDIS_URL: 'redis://sessions:6379', BUS_URL: 'redis://bus:6379' });
    expect(own.session.backend).toBe('redis');
    expect(sessionRedisUrlOf(own)).toBe('redis://sessions:6379');
    expect(sessionRedisUrlOf(loadConfig({}, { SESSION_BACKEND: 'redis', BUS_URL: 'redis://bus:6379' }))).toBe('redis://bus:6379');
  });

  test('the redis backend without any Redis URL refuses to start, in production and elsewhere, naming what to set', () => {
    for (const env of [{ SESSION_BACKEND: 'redis' }, { SESSION_BACKEND: 'redis', NODE_ENV: 'production', MAIL_BACKEND: 'file' }]) {
      const error = configErrorOf(() => loadConfig({}, env));
      expect(error.issues).toEqual([{ key: 'session.redisUrl', message: expect.stringContaining('SESSION_REDIS_URL') }]);
      expect(error.message).toContain('BUS_URL');
    }
  });

  test('an unknown backend or a URL that is not redis:// names the key', () => {
    expect(configErrorOf(() => loadConfig({}, { SESSION_BACKEND: 'memcached' })).issues[0]?.key).toBe('session.backend');
    const error = configErrorOf(() => loadConfig({}, { SESSION_BACKEND: 'redis', SESSION_REDIS_URL: 'http://cache:6379' }));
    expect(error.issues[0]).toEqual({ key: 'session.redisUrl', message: 'must be a redis:// or rediss:// URL' });
  });
});

describe('invalid config', () => {
  test('a non-positive session timeout names session.inactivityTimeoutMs', () => {
    const error = configErrorOf(() => loadConfig({ session: { inactivityTimeoutMs: 0 } }, NO_ENV));
    expect(error.message).toContain('session.inactivityTimeoutMs');
    expect(error.issues.map((i) => i.key)).toEqual(['session.inactivityTimeoutMs']);
  });

  test('a non-numeric timeout from the environment names the key', () => {
    const error = configErrorOf(() => loadConfig({}, { SESSION_INACTIVITY_TIMEOUT_MS: 'soon' }));
    expect(error.message).toContain('session.inactivityTimeoutMs');
  });

  test('an unknown login field names auth.loginFields', () => {
    const error = configErrorOf(() => loadConfig({}, { AUTH_LOGIN_FIELDS: 'phone' }));
    expect(error.message).toContain('auth.loginFields');
  });

  test('an empty login field list names auth.loginFields', () => {
    const error = configErrorOf(() => loadConfig({ auth: { loginFields: [] } }, NO_ENV));
    expect(error.issues[0]?.key).toBe('auth.loginFields');
  });

  test('argon2id costs below the OWASP minimum are refused', () => {
    const error = configErrorOf(() => loadConfig({ password: { memoryCost: 1024, timeCost: 1 } }, NO_ENV));
    expect(error.issues.map((i) => i.key).sort()).toEqual(['password.memoryCost', 'password.timeCost']);
  });

  test('every bad key is named at once', () => {
    const error = configErrorOf(() => loadConfig({ port: -1, auth: { loginUrl: 'login' }, session: { renewalIntervalMs: -5 } }, NO_ENV));
    expect(error.message).toContain('port');
    expect(error.message).toContain('auth.loginUrl');
    expect(error.message).toContain('session.renewalIntervalMs');
  });

  test('context processors must be functions', () => {
    const error = configErrorOf(() => loadConfig({ contextProcessors: ['nope' as never] }, NO_ENV));
    expect(error.message).toContain('contextProcessors');
  });

  test('the error is a ConfigError named ConfigError', () => {
    const error = configErrorOf(() => loadConfig({ port: 70_000 }, NO_ENV));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
  });
});

describe('sign-in providers from the environment', () => {
  test('OAUTH_<NAME>_CLIENT_ID, _CLIENT_SECRET, _ISSUER and _LABEL make one provider per name, in lower case', () => {
    const config = loadConfig(
      {},
      {
        OAUTH_GITHUB_CLIENT_ID: 'gh-id',
        OAUTH_GITHUB_CLIENT_SECRET: 'gh-secret',
        OAUTH_ACME_CLIENT_ID: 'acme-id',
        OAUTH_ACME_CLIENT_SECRET: 'acme-secret',
        OAUTH_ACME_ISSUER: 'https://login.acme.example',
        OAUTH_ACME_LABEL: 'Acme SSO',
      },
    );
    expect(config.oauth.providers).toEqual({
      github: { clientId: 'gh-id', clientSecret: 'gh-secret' },
      acme: { clientId: 'acme-id', clientSecret: 'acme-secret', issuer: 'https://login.acme.example', label: 'Acme SSO' },
    });
  });

  test('an OpenID Connect provider without its issuer, or stored tokens without a key, refuse to start naming what to set', () => {
    expect(() => loadConfig({}, { OAUTH_ACME_CLIENT_ID: 'a', OAUTH_ACME_CLIENT_SECRET: 'b' })).toThrow('OAUTH_ACME_ISSUER');
    expect(() => loadConfig({}, { OAUTH_STORE_TOKENS: 'true' })).toThrow('OAUTH_TOKEN_KEY');
  });

  test('no provider configured: none offered', () => {
    expect(loadConfig({}, {}).oauth.providers).toEqual({});
    expect(loadConfig({}, {}).auth.magicLink).toBe(false);
  });
});
