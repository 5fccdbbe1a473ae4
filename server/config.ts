import type { AuditHook } from './auth/audit';
import { z } from 'zod';
import type { AppAction } from './state/protocol';

/** Named durations, so no config reads `1000 * 60 * 60 * 24 * 30` inline. */
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Sizes in bytes. */
export const KIB = 1024;
export const MIB = 1024 * KIB;

/** The default of `push.maxBytes`: the default `socket.backpressureLimitBytes`, past which a tab could not take a push anyway. */
export const PUSH_MAX_BYTES = 1 * MIB;

/**
 * What a context processor gets and returns (see `contextProcessors`): the
 * event's request, its live user, the loaded config and the database.
 * Processors run only when a handler asks for the context, in config order.
 */
export type ContextProcessor = (
  request: import('./request').EventRequest,
  user: import('./auth/user').AuthUser,
  config: StatehouseConfig,
  db: import('../db/client').Database,
  /** The app's user model (`createStatehouse({ user })`): which of its fields the snapshot carries. */
  userModel: import('./auth/user-model').UserModel,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

const loginField = z.enum(['username', 'email']);

const messagesSchema = z.record(z.string(), z.string());

/**
 * What the configuration reference says of a key: its description and the
 * environment variable that sets it. `docs/configuration.md` is generated
 * from these (`bun run docs:config`), and `loadConfig` reads the variables
 * named here, so neither can drift from the schema.
 */
export interface ConfigKeyMeta {
  description: string;
  env?: string;
}

/** Documents a key: see {@link ConfigKeyMeta}. */
function doc<T extends z.ZodType>(schema: T, description: string, env?: string): T {
  return schema.meta(env ? { description, env } : { description });
}

/** An optional `redis://` or `rediss://` URL (a new schema each time: each key carries its own documentation). */
function redisUrl() {
  return z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional();
}

const configSchema = z.object({
  env: doc(
    z.enum(['development', 'production', 'test']).default('development'),
    '`development` relaxes cookie prefixes and lets the console mail backend print links; `production` refuses the console mail backend.',
    'NODE_ENV',
  ),
  port: doc(z.coerce.number().int().min(0).max(65_535).default(3000), 'The HTTP and socket port.', 'PORT'),
  reusePort: doc(
    z.boolean().default(false),
    'Share the port with other processes (`SO_REUSEPORT`): the kernel then splits connections between them, each with its own in-memory bus and limits unless `busUrl` is set. Off: a start on a port in use fails.',
    'REUSE_PORT',
  ),
  databaseUrl: doc(
    z.string().min(1).default('file:data/statehouse.db'),
    'libSQL URL: `file:` (embedded, created and migrated on start), `:memory:`, `libsql://` or `http(s)://`. Printed at start without its credentials.',
    'DATABASE_URL',
  ),
  databaseAuthToken: doc(z.string().optional(), 'The token of a `libsql://` server.', 'DATABASE_AUTH_TOKEN'),
  autoMigrate: doc(
    z.boolean().default(true),
    'Apply pending migrations on start (turn off when a release step runs `bun run db:migrate`).',
    'AUTO_MIGRATE',
  ),
  busUrl: doc(
    redisUrl(),
    '`redis://…`: the identity bus, rate limits and credential-change claims shared by several processes. Unset: in-process.',
    'BUS_URL',
  ),
  redisPrefix: doc(
    z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, `_`, `.` and `-` (at most 64)')
      .default('statehouse'),
    'What every Redis key and channel of this site starts with (sessions, bus, rate limits, resume stash). Give each site sharing one Redis its own: with the same prefix, a session of one would be a session of the other.',
    'REDIS_PREFIX',
  ),
  allowedOrigins: doc(
    z.array(z.string().url()).default([]),
    "Origins allowed to open the socket and to send unsafe HTTP methods, besides the site's own. Empty: same origin only.",
    'ALLOWED_ORIGINS',
  ),
  allowedHosts: doc(
    z
      .array(
        z
          .string()
          .regex(/^(\*|\.?[A-Za-z0-9_.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?)$/, 'must be a host name, host:port, .domain or *'),
      )
      .default([]),
    "Hosts this site answers to (`Host`, or a trusted proxy's `X-Forwarded-Host`); others get 421, which stops DNS rebinding. Entries: `app.example` (any port), `app.example:8443`, `.example.org` (the domain and its subdomains), `*` (no check). `publicUrl`'s host is always allowed, and so are `localhost`, `127.0.0.1` and `[::1]` in development and test (in production only while neither this nor `publicUrl` is set).",
    'ALLOWED_HOSTS',
  ),
  trustedProxies: doc(
    z.array(z.string()).default([]),
    'Peer addresses whose `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host` are believed. Empty: none.',
    'TRUSTED_PROXIES',
  ),
  siteName: doc(z.string().default('Statehouse'), 'Shown by the auth pages and in mail.', 'SITE_NAME'),
  logLevel: doc(z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'), 'The lowest level logged.', 'LOG_LEVEL'),
  client: z
    .object({
      sourceMaps: doc(
        z.boolean().default(false),
        'In production, build the client with source maps and serve its `.map` files. Off: a production build emits none and the server answers 404 for any `.map`, so the original sources are not published. Development always has them.',
        'CLIENT_SOURCE_MAPS',
      ),
    })
    .prefault({}),
  auth: z
    .object({
      autoSync: doc(z.boolean().default(true), 'Refresh the `auth` snapshot after every event.'),
      snapshotIncludeGroups: doc(
        z.boolean().default(false),
        "Put the user's group names in the `auth` snapshot (`RequireGroup` needs them).",
      ),
      loginUrl: doc(z.string().startsWith('/').default('/login'), 'The login page; refused callers are sent here with `?next=`.'),
      signupUrl: doc(z.string().startsWith('/').default('/register'), 'The sign-up page.'),
      passwordResetUrl: doc(z.string().startsWith('/').default('/password-reset'), 'The password reset pages (`/:token` confirms).'),
      loginRedirectUrl: doc(z.string().startsWith('/').default('/'), 'Where a sign-in lands without a safe `?next=`.'),
      logoutRedirectUrl: doc(z.string().startsWith('/').optional(), 'Where a logout lands. Unset: `loginUrl`.'),
      signupEnabled: doc(z.boolean().default(true), 'Offer sign-up.', 'AUTH_SIGNUP_ENABLED'),
      passwordResetEnabled: doc(z.boolean().default(true), 'Offer password reset by mail.', 'AUTH_PASSWORD_RESET_ENABLED'),
      loginFields: doc(
        z.array(loginField).min(1).max(2).default(['username']),
        'What the login id is matched against: `username`, `email`, or both.',
        'AUTH_LOGIN_FIELDS',
      ),
      messages: doc(messagesSchema.default({}), 'Overrides of any page or error text: `key` in every language, `lang.key` in one.'),
      logoutPreserveStorageKeys: doc(z.array(z.string()).default(['theme']), '`localStorage` keys a logout keeps.'),
      cookieName: doc(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/)
          .default('statehouse_session'),
        'Name of the session cookie; `__Host-` is prefixed when cookies are secure.',
      ),
      emailVerification: doc(
        z.enum(['off', 'optional', 'required']).default('off'),
        'Email verification: `off`; `optional` (sign-up mails a link, an unverified address is no login id nor reset target); `required` (as `optional`, and `verifiedEmailRequired()` guards refuse until the address is verified).',
        'AUTH_EMAIL_VERIFICATION',
      ),
      verifyEmailUrl: doc(z.string().startsWith('/').default('/verify-email'), 'The email verification page (`/:token` verifies).'),
      emailVerificationTtlMs: doc(
        z
          .number()
          .int()
          .positive()
          .max(7 * DAY)
          .default(1 * DAY),
        'Lifetime of an email verification link.',
      ),
      reauthWindowMs: doc(
        z
          .number()
          .int()
          .positive()
          .default(10 * MINUTE),
        'How long a sign-in or a "Confirm it\'s you" counts as recent for `recentAuth()`.',
        'AUTH_REAUTH_WINDOW_MS',
      ),
      magicLink: doc(
        z.boolean().default(false),
        'Offer sign-in by an emailed link (**Email me a sign-in link**): single use, hashed at rest, 15 minutes, the same answer whether or not the address is known. See docs/oauth-and-email-links.md.',
        'AUTH_MAGIC_LINK',
      ),
      secureCookies: doc(
        z.boolean().optional(),
        'Serve cookies with `Secure` and the `__Host-` prefix, and accept only the prefixed cookie. It decides for the socket, the cookie endpoints and HTTP routes alike. Unset: decided per request (https, or `X-Forwarded-Proto: https` from a trusted proxy).',
        'AUTH_SECURE_COOKIES',
      ),
    })
    .prefault({}),
  session: z
    .object({
      inactivityTimeoutMs: doc(
        z
          .number()
          .int()
          .positive()
          .default(14 * DAY),
        'Idle time after which a session dies.',
        'SESSION_INACTIVITY_TIMEOUT_MS',
      ),
      renewalIntervalMs: doc(
        z
          .number()
          .int()
          .positive()
          .default(1 * HOUR),
        'Renew the inactivity window at most this often (one write per interval).',
        'SESSION_RENEWAL_INTERVAL_MS',
      ),
      absoluteLifetimeMs: doc(
        z
          .number()
          .int()
          .positive()
          .default(30 * DAY),
        "Hard limit on a session's life, whatever its activity.",
        'SESSION_ABSOLUTE_LIFETIME_MS',
      ),
      cacheTtlMs: doc(
        z
          .number()
          .int()
          .min(0)
          .default(1 * SECOND),
        'How long a validated session may be served from memory before re-reading the row (revocations through the app drop it at once).',
        'SESSION_CACHE_TTL_MS',
      ),
      ticketTtlMs: doc(
        z
          .number()
          .int()
          .positive()
          .max(60 * SECOND)
          .default(30 * SECOND),
        'Lifetime of a cookie ticket (at most 60 s).',
      ),
      backend: doc(
        z.enum(['libsql', 'redis']).default('libsql'),
        "Where sessions and their data are kept: `libsql`, the database's `sessions` and `session_data` tables (expired rows deleted by housekeeping); `redis`, Redis at `session.redisUrl` (entries expire by themselves; users, tickets and reset links stay in the database). Give that Redis persistence (AOF or snapshots): a restart without it signs everyone out.",
        'SESSION_BACKEND',
      ),
      redisUrl: doc(
        redisUrl(),
        '`redis://…` of the `redis` session backend. Unset: `busUrl`. A start with `backend: redis` and neither URL is refused.',
        'SESSION_REDIS_URL',
      ),
    })
    .prefault({}),
  password: z
    .object({
      memoryCost: doc(
        z.number().int().min(19_456).default(19_456),
        'argon2id memory cost in KiB (OWASP minimum: 19 MiB, enforced).',
        'PASSWORD_MEMORY_COST',
      ),
      timeCost: doc(
        z.number().int().min(2).default(2),
        'argon2id iterations (OWASP minimum with 19 MiB: 2, enforced).',
        'PASSWORD_TIME_COST',
      ),
      minLength: doc(z.number().int().min(1).default(8), 'Shortest password accepted.'),
      maxLength: doc(z.number().int().min(8).default(256), 'Longest password accepted.'),
    })
    .prefault({}),
  passwordReset: z
    .object({
      tokenTtlMs: doc(
        z
          .number()
          .int()
          .positive()
          .max(1 * HOUR)
          .default(1 * HOUR),
        'Lifetime of a reset link (at most one hour).',
      ),
    })
    .prefault({}),
  rateLimit: z
    .object({
      ipBurst: doc(z.number().int().positive().default(20), 'Credential attempts per client address: bucket size.'),
      ipPerMinute: doc(z.number().positive().default(10), 'Credential attempts per client address: refill per minute.'),
      accountFreeFailures: doc(z.number().int().min(0).default(5), 'Failed logins per account before the escalating lock-out starts.'),
      anonymousSessionBurst: doc(
        z.number().int().positive().default(60),
        'New anonymous sessions per client address (socket and HTTP together): bucket size. A visitor gets a session on its first session write; past the budget that write is refused (TOO_MANY_REQUESTS on the socket, 429 over HTTP) and creates nothing. Raise it when many visitors share one address (a large NAT).',
        'RATE_LIMIT_ANONYMOUS_SESSION_BURST',
      ),
      anonymousSessionsPerMinute: doc(
        z.number().positive().default(30),
        'New anonymous sessions per client address: refill per minute.',
        'RATE_LIMIT_ANONYMOUS_SESSIONS_PER_MINUTE',
      ),
      recipientMailBurst: doc(
        z.number().int().positive().default(3),
        'Mails one address may receive from the auth flows (reset links, sign-up notices): bucket size. Past it the mail is skipped silently, after the reply: nobody can flood an inbox through the reset or sign-up form. Shared by every process with `busUrl`.',
      ),
      recipientMailsPerHour: doc(z.number().positive().default(6), 'Mails one address may receive from the auth flows: refill per hour.'),
      messageBurst: doc(z.number().int().positive().default(200), 'Socket messages per connection: bucket size.'),
      messagesPerSecond: doc(z.number().positive().default(100), 'Socket messages per connection: refill per second.'),
    })
    .prefault({}),
  socket: z
    .object({
      maxPayloadBytes: doc(
        z
          .number()
          .int()
          .positive()
          .default(64 * KIB),
        'Largest frame; a larger one closes the socket (1009).',
      ),
      backpressureLimitBytes: doc(
        z
          .number()
          .int()
          .positive()
          .default(1 * MIB),
        'A client that stops reading is closed past this much unsent data.',
      ),
      idleTimeoutSeconds: doc(
        z.number().int().min(0).max(960).default(120),
        'Idle sockets are pinged, and closed when they do not answer.',
      ),
      resumeGraceMs: doc(
        z
          .number()
          .int()
          .min(0)
          .default(2 * MINUTE),
        'A tab that reconnects within this window resumes its slices (on any process with `busUrl`: the stash is then kept in Redis).',
      ),
      resumeStashMax: doc(
        z.number().int().min(0).default(10_000),
        "Closed tabs kept for resume at once (per process; with `busUrl`, for all processes together in Redis); past it, the oldest is dropped first (that tab starts from its slices' initial values).",
      ),
      resumeStashEntryMaxBytes: doc(
        z
          .number()
          .int()
          .positive()
          .default(64 * KIB),
        "With `busUrl`: the largest closed tab's slices, as JSON, kept in Redis for resume. A larger one is not kept: that tab starts from its slices' initial values.",
      ),
      resumeTakeTimeoutMs: doc(
        z.number().int().positive().default(1_000),
        "With `busUrl`: how long a reconnecting tab waits for its slices from Redis. Past it (a stalled Redis) the tab starts from its slices' initial values rather than wait.",
      ),
      maxConnectionsPerAddress: doc(
        z.number().int().min(0).default(1_000),
        'Open sockets per client address (after `trustedProxies`); an upgrade past it is refused with 429. 0: no cap.',
      ),
    })
    .prefault({}),
  push: z
    .object({
      maxBytes: doc(
        z.number().int().positive().default(PUSH_MAX_BYTES),
        'Largest push (`statehouse.push`, `toast`, `navigate`): its slice fields and actions as JSON. A larger one is refused where it is published (`PushError` `TOO_LARGE`). Keep it under `socket.backpressureLimitBytes`, past which a tab is closed.',
        'PUSH_MAX_BYTES',
      ),
    })
    .prefault({}),
  housekeeping: z
    .object({
      intervalMs: doc(
        z
          .number()
          .int()
          .min(0)
          .default(1 * HOUR),
        'Time between housekeeping passes, which delete expired sessions (and their data; with `session.backend: redis`, Redis expires them itself) and used or expired cookie tickets and password-reset tokens. One process at a time runs a pass (a lease row in the database). 0: no schedule; run `bun run manage clearsessions` instead.',
        'HOUSEKEEPING_INTERVAL_MS',
      ),
      batchSize: doc(
        z.number().int().positive().max(10_000).default(500),
        "Rows one statement deletes: each holds the database's write lock only briefly.",
      ),
    })
    .prefault({}),
  audit: z
    .object({
      retentionDays: doc(
        z.number().int().positive().max(36_500).default(180),
        'Days a security audit event is kept; housekeeping deletes older ones on its schedule (`housekeeping.intervalMs`, or `bun run manage clearsessions`).',
        'AUDIT_RETENTION_DAYS',
      ),
    })
    .prefault({}),
  mail: z
    .object({
      backend: doc(
        z.enum(['console', 'file', 'smtp']).default('console'),
        '`console` prints mail to stdout (links only in development) and is refused in production; `file` writes `.eml` files to `mail.fileDir`; `smtp` sends through `mail.smtpUrl`.',
        'MAIL_BACKEND',
      ),
      from: doc(z.string().default('Statehouse <no-reply@localhost>'), 'The `From` of every mail.', 'MAIL_FROM'),
      fileDir: doc(z.string().default('data/mail'), 'Where the `file` backend writes.', 'MAIL_FILE_DIR'),
      smtpUrl: doc(z.string().optional(), '`smtp://` or `smtps://user:password@host:port` for the `smtp` backend.', 'SMTP_URL'),
    })
    .prefault({}),
  oauth: z
    .object({
      providers: doc(
        z
          .record(
            z.string().regex(/^[a-z0-9]{1,32}$/, 'a provider id is lower-case letters and digits'),
            z.object({
              clientId: z.string().min(1),
              clientSecret: z.string().min(1),
              /** OpenID Connect: the issuer URL, found by discovery. Unset for `github` and `google`. */
              issuer: z.string().url().optional(),
              /** The name on **Continue with <Provider name>**. */
              label: z.string().min(1).max(40).optional(),
            }),
          )
          .default({}),
        'Sign-in providers by id: `github` and `google` are built in, any other id is an OpenID Connect provider found from its `issuer` by discovery. From the environment: `OAUTH_<NAME>_CLIENT_ID`, `OAUTH_<NAME>_CLIENT_SECRET`, `OAUTH_<NAME>_ISSUER` (OIDC), `OAUTH_<NAME>_LABEL`. The login page shows **Continue with <Provider name>** for each one.',
      ),
      storeTokens: doc(
        z.boolean().default(false),
        "Keep the provider's access and refresh tokens, encrypted with `oauth.tokenKey` (AES-256-GCM). Off: tokens are used once for the profile and dropped.",
        'OAUTH_STORE_TOKENS',
      ),
      tokenKey: doc(
        z
          .string()
          .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64')
          .optional(),
        'The key that encrypts stored provider tokens (32 bytes, base64). Required with `oauth.storeTokens`.',
        'OAUTH_TOKEN_KEY',
      ),
      trustProviderMfa: doc(
        z.boolean().default(false),
        "Accept an OIDC provider's `amr` claim saying it checked a second factor in place of this site's own second step.",
        'OAUTH_TRUST_PROVIDER_MFA',
      ),
      stateTtlMs: doc(
        z
          .number()
          .int()
          .positive()
          .max(30 * MINUTE)
          .default(10 * MINUTE),
        'How long a browser has to come back from the provider (the state cookie and its row).',
      ),
    })
    .prefault({}),
  twoFactor: z
    .object({
      enabled: doc(
        z.boolean().default(false),
        'Offer two-factor sign-in with an authenticator app (Settings → **Security**; the example app turns it on). Off: nobody can turn it on, and accounts that have it sign in without the second step. See docs/account-security.md.',
        'TWO_FACTOR_ENABLED',
      ),
      key: doc(
        z
          .string()
          .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64')
          .optional(),
        "The key that encrypts authenticator secrets at rest (32 bytes, base64: `openssl rand -base64 32`). Required in production while two-factor is enabled. Unset elsewhere: a development key derived from `databaseUrl`, which is no secret. Changing it turns every user's authenticator app useless (they sign in with a recovery code, or are reset with `bun run manage reset2fa`).",
        'TWO_FACTOR_KEY',
      ),
      trustDevice: doc(
        z.boolean().default(true),
        'Offer **Trust this device for 30 days** on the second step: a revocable HttpOnly cookie that skips the second step in that browser.',
        'TWO_FACTOR_TRUST_DEVICE',
      ),
    })
    .prefault({}),
  publicUrl: doc(
    z.string().url().optional(),
    "Public base URL used in emailed links (and whose host is always allowed). Unset: the request's origin, only when it is this machine or in `allowedOrigins` (else no link is mailed).",
    'PUBLIC_URL',
  ),
  languages: doc(
    z.array(z.string().min(2)).min(1).default(['en']),
    'The languages the app speaks, the first one the default.',
    'LANGUAGES',
  ),
  /**
   * Credential operations that hash a password (sign-in, sign-up, password
   * change, reset confirmation): how much argon2id work clients can queue.
   * Each is also limited per address (`rateLimit.ipBurst` / `ipPerMinute`).
   */
  credentials: z
    .object({
      hashingQueueMax: doc(
        z.number().int().min(0).default(32),
        "Password hashes allowed to wait for a hashing thread, all callers together. Past it, a credential operation is answered at once with a retriable `SERVICE_UNAVAILABLE` (`retryAfter`) instead of queueing, so a burst cannot delay everyone's sign-in without bound. One hash takes about 50 ms of a core at the default cost: 32 waiting are about 1.6 s on a single hashing thread.",
        'HASHING_QUEUE_MAX',
      ),
      changeLockMs: doc(
        z
          .number()
          .int()
          .positive()
          .default(30 * SECOND),
        "Longest a password change or reset confirmation holds its user's lock (one credential change per user at a time, shared through Redis with `busUrl`). A process that dies holding it frees it after this.",
      ),
    })
    .prefault({}),
});

type ParsedConfig = z.infer<typeof configSchema>;

/**
 * What is wrong with the mail settings for this environment: production needs
 * a backend that delivers (a reset link printed to stdout is readable by
 * whoever reads the service's output), and `smtp` needs its URL.
 */
export function mailSettingsProblems(config: Pick<ParsedConfig, 'env' | 'mail'>): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  if (config.env === 'production' && config.mail.backend === 'console') {
    problems.push({
      key: 'mail.backend',
      message:
        'MAIL_BACKEND is console (the default), which prints mail to stdout: production needs MAIL_BACKEND=smtp (with SMTP_URL) or MAIL_BACKEND=file',
    });
  }
  if (config.mail.backend === 'smtp' && !config.mail.smtpUrl) {
    problems.push({ key: 'mail.smtpUrl', message: 'MAIL_BACKEND=smtp needs SMTP_URL (smtps://user:password@host)' });
  }
  return problems;
}

/** Provider settings that cannot work: an OIDC provider needs its issuer, stored tokens need a key. */
export function oauthProblems(config: Pick<ParsedConfig, 'oauth'>): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  for (const [id, provider] of Object.entries(config.oauth.providers)) {
    if (id !== 'github' && id !== 'google' && !provider.issuer) {
      problems.push({
        key: `oauth.providers.${id}.issuer`,
        message: `OAUTH_${id.toUpperCase()}_ISSUER is needed: "${id}" is an OpenID Connect provider`,
      });
    }
  }
  if (config.oauth.storeTokens && !config.oauth.tokenKey) {
    problems.push({ key: 'oauth.tokenKey', message: 'OAUTH_STORE_TOKENS needs OAUTH_TOKEN_KEY (32 bytes, base64)' });
  }
  return problems;
}

/** Two-factor settings that cannot work: production keeps authenticator secrets under a key of its own. */
export function twoFactorProblems(config: Pick<ParsedConfig, 'env' | 'twoFactor'>): { key: string; message: string }[] {
  if (config.env !== 'production' || !config.twoFactor.enabled || config.twoFactor.key) return [];
  return [{ key: 'twoFactor.key', message: 'production needs TWO_FACTOR_KEY (32 bytes, base64), or TWO_FACTOR_ENABLED=false' }];
}

/** The Redis URL of the `redis` session backend: `session.redisUrl`, else `busUrl`. */
export function sessionRedisUrlOf(config: Pick<ParsedConfig, 'session' | 'busUrl'>): string | undefined {
  return config.session.redisUrl ?? config.busUrl;
}

/** What is wrong with the session backend's settings: the `redis` backend needs a URL. */
export function sessionBackendProblems(config: Pick<ParsedConfig, 'session' | 'busUrl'>): { key: string; message: string }[] {
  if (config.session.backend !== 'redis' || sessionRedisUrlOf(config)) return [];
  return [
    {
      key: 'session.redisUrl',
      message: "SESSION_BACKEND=redis needs SESSION_REDIS_URL (redis://host:6379), or BUS_URL to keep sessions in the bus's Redis",
    },
  ];
}

export type StatehouseConfig = ParsedConfig & {
  contextProcessors: ContextProcessor[];
  hooks: StatehouseHooks;
};

/**
 * Whether the client is built with source maps and its `.map` files are
 * served: always outside production, in production only with
 * `client.sourceMaps` (`CLIENT_SOURCE_MAPS`).
 */
export function clientSourceMaps(config: Pick<StatehouseConfig, 'env' | 'client'>): boolean {
  return config.env !== 'production' || config.client.sourceMaps;
}

/**
 * What an app-wide hook may answer: nothing (it only observes), or client
 * actions (`navigate` to a path on this site, `toast`, `reload`) added to
 * the refused event's reply after its own. Anything else is logged and left
 * out; over HTTP, whose refusals are JSON, the answer is ignored.
 */
export type HookAnswer = readonly AppAction[] | undefined;

/**
 * App-wide hooks.
 *
 * @example
 * hooks: {
 *   onAuthFailed: () => [{ type: 'toast', kind: 'info', message: 'Forgot your password? Reset it from the sign-in page.' }],
 *   onPermissionDenied: ({ perm }) => (perm === 'billing.view' ? [{ type: 'navigate', to: '/upgrade' }] : undefined),
 * }
 */
export interface StatehouseHooks {
  /** A sign-in failed (`ctx.auth.login`: unknown login id, wrong password, inactive account). */
  onAuthFailed?: (info: { loginId: string; ip: string }) => HookAnswer | void | Promise<HookAnswer> | Promise<void>;
  /**
   * An account is about to be deleted (`ctx.auth.deleteAccount`): delete the
   * app's rows the user owns that no foreign key cascades. Throwing stops the
   * deletion.
   */
  onDeleteUser?: (info: { userId: number }) => void | Promise<void>;
  /** A guard refused a signed-in user (`can`, `groupRequired`, `staffRequired`, `superuserRequired`, and their HTTP twins). */
  onPermissionDenied?: (info: {
    perm: string;
    userId: number | null;
    path: string;
  }) => HookAnswer | void | Promise<HookAnswer> | Promise<void>;
  /**
   * A security event was recorded in the audit log (after the reply that
   * caused it): ship it elsewhere (a SIEM, a log pipeline). It never holds a
   * secret; a failure is logged and the event stays recorded.
   */
  onAuditEvent?: AuditHook;
}

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export type StatehouseConfigInput = DeepPartial<z.input<typeof configSchema>> & {
  contextProcessors?: ContextProcessor[];
  hooks?: StatehouseHooks;
};

/** Raised when the config does not validate; the message names every bad key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: { key: string; message: string }[]) {
    super(`Invalid Statehouse config:\n${issues.map((i) => `  - ${i.key}: ${i.message}`).join('\n')}`);
  }
}

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const bool = (v: string) => ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
// A value that is not a number stays a string, so validation names the key.
const num = (v: string) => (/^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);

/** A key of the schema: where it sits, what it holds, and its documentation (every key has some: a test checks). */
export interface ConfigKey {
  path: string[];
  schema: z.ZodType;
  meta: ConfigKeyMeta | undefined;
}

/** The schema under `default`, `prefault` and `optional` wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema;
  for (;;) {
    const def = inner._zod.def as { type: string; innerType?: z.ZodType };
    if (!def.innerType || !['default', 'prefault', 'optional', 'nullable'].includes(def.type)) return inner;
    inner = def.innerType;
  }
}

/** Every key of the config, in schema order (nested objects flattened). */
export function configKeys(schema: z.ZodType = configSchema, path: string[] = []): ConfigKey[] {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    return Object.entries(inner.shape as Record<string, z.ZodType>).flatMap(([key, field]) => configKeys(field, [...path, key]));
  }
  return [{ path, schema, meta: z.globalRegistry.get(schema) as ConfigKeyMeta | undefined }];
}

/** The kind of value a key holds, as its environment variable is read. */
export function configValueKind(schema: z.ZodType): 'boolean' | 'number' | 'list' | 'string' {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodBoolean) return 'boolean';
  if (inner instanceof z.ZodNumber) return 'number';
  if (inner instanceof z.ZodArray) return 'list';
  return 'string';
}

const PARSERS = { boolean: bool, number: num, list, string: (v: string) => v } as const;

/** Environment variables and the config keys they set, from the schema's metadata. */
const ENV_KEYS: [name: string, path: string[], parse: (v: string) => unknown][] = configKeys().flatMap(({ path, schema, meta }) =>
  meta?.env ? [[meta.env, path, PARSERS[configValueKind(schema)]] as [string, string[], (v: string) => unknown]] : [],
);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

/** `OAUTH_<NAME>_CLIENT_ID`, `_CLIENT_SECRET`, `_ISSUER`, `_LABEL`: one provider per `<NAME>` (its id in lower case). */
const OAUTH_ENV = /^OAUTH_([A-Z0-9]{1,32})_(CLIENT_ID|CLIENT_SECRET|ISSUER|LABEL)$/;
const OAUTH_FIELDS = { CLIENT_ID: 'clientId', CLIENT_SECRET: 'clientSecret', ISSUER: 'issuer', LABEL: 'label' } as const;

function oauthProvidersFromEnv(env: Record<string, string | undefined>): Record<string, Record<string, string>> {
  const providers: Record<string, Record<string, string>> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = OAUTH_ENV.exec(name);
    if (!match || value === undefined || value === '') continue;
    const id = match[1]!.toLowerCase();
    (providers[id] ??= {})[OAUTH_FIELDS[match[2] as keyof typeof OAUTH_FIELDS]] = value;
  }
  return providers;
}

function fromEnv(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const providers = oauthProvidersFromEnv(env);
  if (Object.keys(providers).length > 0) out.oauth = { providers };
  for (const [name, path, parse] of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let node = out;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]!] = parse(raw);
  }
  return out;
}

/**
 * Builds the typed config: defaults, then the app's values, then environment
 * variables. Throws a {@link ConfigError} naming each invalid key.
 *
 * @example
 * const config = loadConfig({ auth: { loginFields: ['username', 'email'] } });
 */
export function loadConfig(input: StatehouseConfigInput = {}, env: Record<string, string | undefined> = process.env): StatehouseConfig {
  const { contextProcessors = [], hooks = {}, ...rest } = input;
  const merged = deepMerge(rest as Record<string, unknown>, fromEnv(env));
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', message: i.message })));
  }
  const settingsProblems = [
    ...mailSettingsProblems(parsed.data),
    ...sessionBackendProblems(parsed.data),
    ...oauthProblems(parsed.data),
    ...twoFactorProblems(parsed.data),
  ];
  if (settingsProblems.length > 0) throw new ConfigError(settingsProblems);
  if (!Array.isArray(contextProcessors) || contextProcessors.some((p) => typeof p !== 'function')) {
    throw new ConfigError([{ key: 'contextProcessors', message: 'must be an array of functions' }]);
  }
  return { ...parsed.data, contextProcessors, hooks };
}

/** What a process that only pushes reads of the config: the bus, its prefix, the push size limit. */
export type PusherConfig = Pick<StatehouseConfig, 'busUrl' | 'redisPrefix' | 'push'>;

const pusherConfigSchema = configSchema.pick({ busUrl: true, redisPrefix: true, push: true });

/**
 * The keys {@link PusherConfig} names, from `input` and then the environment,
 * as {@link loadConfig} reads them; nothing else is read or checked, so a job
 * runner is not refused for a server's settings it never uses (production
 * mail, the session backend, providers).
 *
 * @example
 * const { busUrl } = loadPusherConfig({}, process.env);
 */
export function loadPusherConfig(
  input: Pick<StatehouseConfigInput, 'busUrl' | 'redisPrefix' | 'push'> = {},
  env: Record<string, string | undefined> = process.env,
): PusherConfig {
  const { busUrl, redisPrefix, push } = input;
  const merged = deepMerge({ busUrl, redisPrefix, push } as Record<string, unknown>, fromEnv(env));
  const parsed = pusherConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', message: i.message })));
  }
  return parsed.data;
}

/** The Redis key prefixes and channel of one site, all under `redisPrefix`. */
export function redisNamesOf(config: Pick<StatehouseConfig, 'redisPrefix'>) {
  const prefix = config.redisPrefix;
  return { sessions: prefix, identityChannel: `${prefix}:identity`, rateLimits: `${prefix}:rl`, resumeStash: `${prefix}:resume` };
}
