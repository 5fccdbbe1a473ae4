import { z } from 'zod';

/** Named durations, so no config reads `1000 * 60 * 60 * 24 * 30` inline. */
export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * What a context processor gets and returns (see `contextProcessors`): the
 * event's request, its live user and the loaded config. Processors run only
 * when a handler asks for the context, in config order.
 */
export type ContextProcessor = (
  request: import('./bridge/request').EventRequest,
  user: import('./auth/user').AuthUser,
  config: StatehouseConfig,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

const loginField = z.enum(['username', 'email']);

const messagesSchema = z.record(z.string(), z.string());

const configSchema = z.object({
  /**
   * `development` relaxes cookie prefixes and lets the console mail backend
   * print links; `production` refuses the console backend (set MAIL_BACKEND).
   */
  env: z.enum(['development', 'production', 'test']).default('development'),
  port: z.coerce.number().int().min(0).max(65_535).default(3000),
  /**
   * Share the port with other processes (`SO_REUSEPORT`): the kernel then
   * splits connections between them, each with its own in-memory bus and
   * limits unless `busUrl` is set. Off: a start on a port in use fails.
   */
  reusePort: z.boolean().default(false),
  /** libSQL URL: `file:` (embedded), `:memory:`, `libsql://` or `http(s)://`. */
  databaseUrl: z.string().min(1).default('file:data/statehouse.db'),
  databaseAuthToken: z.string().optional(),
  /** Apply pending migrations on start (turn off when a release step runs `bun run db:migrate`). */
  autoMigrate: z.boolean().default(true),
  /** `redis://…`: the identity bus and rate limits shared by several processes. Unset: in-process. */
  busUrl: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** Origins allowed to open the socket and POST to cookie endpoints. Empty: same origin only. */
  allowedOrigins: z.array(z.string().url()).default([]),
  /**
   * Hosts this site answers to (`Host`, or a trusted proxy's
   * `X-Forwarded-Host`); others get 421, which stops DNS rebinding. Entries:
   * `app.example` (any port), `app.example:8443`, `.example.org` (the domain
   * and its subdomains), `*` (no check). `publicUrl`'s host is always
   * allowed, and so are `localhost`, `127.0.0.1` and `[::1]` in development
   * and test (in production only while neither this nor `publicUrl` is set).
   */
  allowedHosts: z
    .array(z.string().regex(/^(\*|\.?[A-Za-z0-9_.-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?)$/, 'must be a host name, host:port, .domain or *'))
    .default([]),
  /** Peer addresses whose `X-Forwarded-For` is believed. Empty: none. */
  trustedProxies: z.array(z.string()).default([]),
  siteName: z.string().default('Statehouse'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  auth: z
    .object({
      autoSync: z.boolean().default(true),
      snapshotIncludeGroups: z.boolean().default(false),
      loginUrl: z.string().startsWith('/').default('/login'),
      signupUrl: z.string().startsWith('/').default('/register'),
      passwordResetUrl: z.string().startsWith('/').default('/password-reset'),
      loginRedirectUrl: z.string().startsWith('/').default('/'),
      logoutRedirectUrl: z.string().startsWith('/').optional(),
      signupEnabled: z.boolean().default(true),
      passwordResetEnabled: z.boolean().default(true),
      loginFields: z.array(loginField).min(1).max(2).default(['username']),
      messages: messagesSchema.default({}),
      logoutPreserveStorageKeys: z.array(z.string()).default(['theme']),
      /** Name of the session cookie; `__Host-` is prefixed automatically over https. */
      cookieName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('statehouse_session'),
      /**
       * Serve cookies with `Secure` and the `__Host-` prefix. Unset: decided per
       * request (https, or `X-Forwarded-Proto: https` from a trusted proxy).
       */
      secureCookies: z.boolean().optional(),
    })
    .prefault({}),
  session: z
    .object({
      /** Idle time after which a session dies. */
      inactivityTimeoutMs: z.number().int().positive().default(14 * DAY),
      /** Renew the inactivity window at most this often (one write per interval). */
      renewalIntervalMs: z.number().int().positive().default(1 * HOUR),
      /** Hard limit on a session's life, whatever its activity. */
      absoluteLifetimeMs: z.number().int().positive().default(30 * DAY),
      /** How long a validated session may be served from memory before re-reading the row. */
      cacheTtlMs: z.number().int().min(0).default(1 * SECOND),
      ticketTtlMs: z.number().int().positive().max(60 * SECOND).default(30 * SECOND),
    })
    .prefault({}),
  password: z
    .object({
      /** argon2id memory cost in KiB (OWASP minimum: 19 MiB). */
      memoryCost: z.number().int().min(19_456).default(19_456),
      /** argon2id iterations (OWASP minimum with 19 MiB: 2). */
      timeCost: z.number().int().min(2).default(2),
      minLength: z.number().int().min(1).default(8),
      maxLength: z.number().int().min(8).default(256),
    })
    .prefault({}),
  passwordReset: z
    .object({
      tokenTtlMs: z.number().int().positive().max(1 * HOUR).default(1 * HOUR),
    })
    .prefault({}),
  rateLimit: z
    .object({
      /** Credential attempts per IP: bucket size and refill per minute. */
      ipBurst: z.number().int().positive().default(20),
      ipPerMinute: z.number().positive().default(10),
      /** Failed logins per account before the escalating throttle starts. */
      accountFreeFailures: z.number().int().min(0).default(5),
      /**
       * New anonymous sessions per client address (after `trustedProxies`),
       * over the socket and HTTP together: bucket size and refill per minute.
       * A visitor gets a session on its first session write (a language
       * switch, say); past the budget that write is refused
       * (TOO_MANY_REQUESTS on the socket, 429 over HTTP) and creates nothing.
       * Shared by every process with `busUrl`. Raise it when many visitors
       * share one address (a large NAT).
       */
      anonymousSessionBurst: z.number().int().positive().default(60),
      anonymousSessionsPerMinute: z.number().positive().default(30),
      /** Socket messages per connection: bucket size and refill per second. */
      messageBurst: z.number().int().positive().default(200),
      messagesPerSecond: z.number().positive().default(100),
    })
    .prefault({}),
  socket: z
    .object({
      maxPayloadBytes: z.number().int().positive().default(64 * 1024),
      backpressureLimitBytes: z.number().int().positive().default(1024 * 1024),
      idleTimeoutSeconds: z.number().int().min(0).max(960).default(120),
      /** A reconnecting tab resumes its slices within this window. */
      resumeGraceMs: z.number().int().min(0).default(2 * MINUTE),
      /**
       * Closed tabs kept for resume at once; past it, the oldest is dropped
       * first (that tab starts from its slices' initial values).
       */
      resumeStashMax: z.number().int().min(0).default(10_000),
      /**
       * Open sockets per client address (after `trustedProxies`); an upgrade
       * past it is refused with 429. 0: no cap.
       */
      maxConnectionsPerAddress: z.number().int().min(0).default(1_000),
    })
    .prefault({}),
  housekeeping: z
    .object({
      /**
       * Time between housekeeping passes, which delete expired sessions (and
       * their data) and used or expired cookie tickets and password-reset
       * tokens. One process at a time runs a pass (a lease row in the
       * database). 0: no schedule; run `bun run manage clearsessions` instead.
       */
      intervalMs: z.number().int().min(0).default(1 * HOUR),
      /** Rows one statement deletes: each holds the database's write lock only briefly. */
      batchSize: z.number().int().positive().max(10_000).default(500),
    })
    .prefault({}),
  mail: z
    .object({
      /**
       * `console` prints mail to stdout (links only in development) and is
       * refused in production; `file` writes `.eml` files; `smtp` sends.
       */
      backend: z.enum(['console', 'file', 'smtp']).default('console'),
      from: z.string().default('Statehouse <no-reply@localhost>'),
      fileDir: z.string().default('data/mail'),
      smtpUrl: z.string().optional(),
    })
    .prefault({}),
  /**
   * Public base URL used in emailed links. Unset: the request's origin, only
   * when it is this machine or in `allowedOrigins` (else no link is mailed).
   */
  publicUrl: z.string().url().optional(),
  languages: z.array(z.string().min(2)).min(1).default(['en']),
  /**
   * Credential operations that hash a password (sign-in, sign-up, password
   * change, reset confirmation): how much argon2id work clients can queue.
   * Each is also limited per address (`rateLimit.ipBurst` / `ipPerMinute`).
   */
  credentials: z
    .object({
      /**
       * Password hashes allowed to wait for a hashing thread, all callers
       * together. Past it, a credential operation is answered at once with a
       * retriable `SERVICE_UNAVAILABLE` (`retryAfter`) instead of queueing, so
       * a burst cannot delay everyone's sign-in without bound. One hash takes
       * about 50 ms of a core at the default cost: 32 waiting are about 1.6 s
       * on a single hashing thread.
       */
      hashingQueueMax: z.number().int().min(0).default(32),
      /**
       * Longest a password change or reset confirmation holds its user's
       * lock (one credential change per user at a time, shared through Redis
       * with `busUrl`). A process that dies holding it frees it after this.
       */
      changeLockMs: z.number().int().positive().default(30 * SECOND),
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

export type StatehouseConfig = ParsedConfig & {
  contextProcessors: ContextProcessor[];
  hooks: StatehouseHooks;
};

/** App-wide hooks. */
export interface StatehouseHooks {
  onAuthFailed?: (info: { loginId: string; ip: string }) => void | Promise<void>;
  onPermissionDenied?: (info: { perm: string; userId: number | null; path: string }) => void | Promise<void>;
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
const int = (v: string) => (/^-?\d+$/.test(v.trim()) ? Number(v) : v);
const num = (v: string) => (/^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v);

/** Environment variables and the config keys they set. */
const ENV_KEYS: Record<string, [path: string[], parse: (v: string) => unknown]> = {
  NODE_ENV: [['env'], (v) => v],
  PORT: [['port'], (v) => v],
  REUSE_PORT: [['reusePort'], bool],
  DATABASE_URL: [['databaseUrl'], (v) => v],
  DATABASE_AUTH_TOKEN: [['databaseAuthToken'], (v) => v],
  AUTO_MIGRATE: [['autoMigrate'], bool],
  BUS_URL: [['busUrl'], (v) => v],
  ALLOWED_ORIGINS: [['allowedOrigins'], list],
  ALLOWED_HOSTS: [['allowedHosts'], list],
  TRUSTED_PROXIES: [['trustedProxies'], list],
  SITE_NAME: [['siteName'], (v) => v],
  LOG_LEVEL: [['logLevel'], (v) => v],
  PUBLIC_URL: [['publicUrl'], (v) => v],
  LANGUAGES: [['languages'], list],
  AUTH_SIGNUP_ENABLED: [['auth', 'signupEnabled'], bool],
  AUTH_PASSWORD_RESET_ENABLED: [['auth', 'passwordResetEnabled'], bool],
  AUTH_LOGIN_FIELDS: [['auth', 'loginFields'], list],
  AUTH_SECURE_COOKIES: [['auth', 'secureCookies'], bool],
  SESSION_INACTIVITY_TIMEOUT_MS: [['session', 'inactivityTimeoutMs'], int],
  SESSION_ABSOLUTE_LIFETIME_MS: [['session', 'absoluteLifetimeMs'], int],
  SESSION_RENEWAL_INTERVAL_MS: [['session', 'renewalIntervalMs'], int],
  SESSION_CACHE_TTL_MS: [['session', 'cacheTtlMs'], int],
  RATE_LIMIT_ANONYMOUS_SESSION_BURST: [['rateLimit', 'anonymousSessionBurst'], int],
  RATE_LIMIT_ANONYMOUS_SESSIONS_PER_MINUTE: [['rateLimit', 'anonymousSessionsPerMinute'], num],
  HOUSEKEEPING_INTERVAL_MS: [['housekeeping', 'intervalMs'], int],
  PASSWORD_MEMORY_COST: [['password', 'memoryCost'], int],
  PASSWORD_TIME_COST: [['password', 'timeCost'], int],
  MAIL_BACKEND: [['mail', 'backend'], (v) => v],
  MAIL_FILE_DIR: [['mail', 'fileDir'], (v) => v],
  MAIL_FROM: [['mail', 'from'], (v) => v],
  SMTP_URL: [['mail', 'smtpUrl'], (v) => v],
  HASHING_QUEUE_MAX: [['credentials', 'hashingQueueMax'], int],
};

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

function fromEnv(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, [path, parse]] of Object.entries(ENV_KEYS)) {
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
export function loadConfig(
  input: StatehouseConfigInput = {},
  env: Record<string, string | undefined> = process.env,
): StatehouseConfig {
  const { contextProcessors = [], hooks = {}, ...rest } = input;
  const merged = deepMerge(rest as Record<string, unknown>, fromEnv(env));
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ key: i.path.join('.') || '(root)', message: i.message })),
    );
  }
  const mailProblems = mailSettingsProblems(parsed.data);
  if (mailProblems.length > 0) throw new ConfigError(mailProblems);
  if (!Array.isArray(contextProcessors) || contextProcessors.some((p) => typeof p !== 'function')) {
    throw new ConfigError([{ key: 'contextProcessors', message: 'must be an array of functions' }]);
  }
  return { ...parsed.data, contextProcessors, hooks };
}
