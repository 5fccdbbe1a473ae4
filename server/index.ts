import type { AnyRouter } from '@trpc/server';
import { type AnyElysia, Elysia } from 'elysia';
import { openMigratedDatabase, type DatabaseHandle } from '../db/client';
import { AuditLog } from './auth/audit';
import { FRAMEWORK_SLICES } from './state/admin-slices';
import { Housekeeping } from './auth/housekeeping';
import { createMemoryRateLimiter, type RateLimiter } from './auth/rate-limit';
import { BackgroundTasks } from './background';
import { applyBusEvent } from './bus/apply';
import type { IdentityBus } from './bus/identity-bus';
import { createMemoryBus } from './bus/memory-bus';
import { createPusher, type Pusher } from './bus/pusher';
import { createRedisBus } from './bus/redis-bus';
import { createRedisResumeStash } from './bus/redis-resume-stash';
import { createRedisRateLimiter } from './auth/redis-rate-limit';
import Redis from 'ioredis';
import { socketServerOptions, socketTransport } from './bridge/transport';
import { AuthSnapshots } from './bridge/auth-snapshots';
import { ConnectionRegistry } from './bridge/registry';
import { memoryResumeStash } from './bridge/resume-stash';
import { HashingPool } from './auth/hashing-pool';
import { DEFAULT_USER_MODEL, type UserModel } from './auth/user-model';
import { HASHING_NICE, HASHING_SLOTS } from './auth/password';
import {
  clientSourceMaps,
  ConfigError,
  DAY,
  loadConfig,
  mailSettingsProblems,
  MIB,
  redisNamesOf,
  sessionBackendProblems,
  type StatehouseConfig,
  type StatehouseConfigInput,
} from './config';
import { openSessionBackend } from './auth/open-session-backend';
import type { SessionBackend } from './auth/session-backend';
import { authRoutes } from './http/auth-routes';
import { oauthRoutes } from './http/oauth-routes';
import { signInLinkRoutes } from './http/sign-in-link-routes';
import { requestGuard } from './http/request-guard';
import { staticClient } from './http/static';
import { createLogger, type Logger } from './log';
import { createMailer, type Mailer } from './mail';
import { cookieNameFor } from './auth/session-cookie';
import { RecentRotations } from './auth/recent-rotations';
import { sessionSettingsOf, type Runtime } from './runtime';
import { adminRouter } from './routers/admin-router';
import { authRouter } from './routers/auth-router';
import { i18nRouter } from './routers/i18n-router';
import { stateRouter } from './routers/state-router';
import type { SliceDefinition } from './state/slices';
import { router } from './bridge/trpc';

/** How often idle connections' expired session caches are dropped. */
const VALIDATION_SWEEP_MS = 2_000;

export interface StatehouseOptions<TRouter extends AnyRouter, Slices extends readonly SliceDefinition[] = readonly SliceDefinition[]> {
  /** The app's router, usually built with `createAppRouter`. */
  router: TRouter;
  /** Config values (env variables override them). */
  config?: StatehouseConfigInput | StatehouseConfig;
  /** Slices every tab starts with (others register on first use); `push` names these. */
  slices?: Slices;
  /** Folder of the built client to serve; none when omitted. */
  clientDir?: string;
  /** An already open database (tests); otherwise `config.databaseUrl` is opened and migrated. */
  database?: DatabaseHandle;
  /**
   * The app's own user fields (`defineUserModel`): on `ctx.user`,
   * `currentUser()`, the HTTP identity's `user`, the `auth` snapshot (the
   * fields it names) and sign-up (its `registration`). Statehouse's own
   * fields only when omitted.
   */
  user?: UserModel<unknown, unknown, unknown>;
  bus?: IdentityBus;
  /** Where sessions are kept (tests); otherwise `session.backend` is opened, and closed by `stop()`. */
  sessions?: SessionBackend;
  limiter?: RateLimiter;
  mailer?: Mailer;
  log?: Logger;
  /**
   * More HTTP routes mounted on the same app: an Elysia instance, or a
   * function of the runtime returning one (to use `identity(runtime)`).
   */
  http?: AnyElysia | ((runtime: Runtime) => AnyElysia);
}

/**
 * A running Statehouse; `push`, `toast` and `navigate` reach open tabs from
 * outside their events (see {@link Pusher}), on every process with `busUrl`.
 */
export interface Statehouse<Slices extends readonly SliceDefinition[] = readonly SliceDefinition[]> extends Pusher<Slices> {
  app: AnyElysia;
  runtime: Runtime;
  /** Deletes expired sessions and used or expired tokens every `housekeeping.intervalMs`. */
  housekeeping: Housekeeping;
  /** Starts serving; `port: 0` picks a free port. */
  listen(port?: number, hostname?: string): Promise<{ url: string; port: number }>;
  /** Stops serving and housekeeping, closes every socket, the bus and the database. */
  stop(): Promise<void>;
}

/**
 * The app's root router: the built-in `statehouse.*`, `auth.*` and `i18n.*` procedures
 * plus the app's own.
 *
 * @example
 * export const appRouter = createAppRouter({ notes: notesRouter });
 * export type AppRouter = typeof appRouter;
 */
export function createAppRouter<TRoutes extends Record<string, AnyRouter>>(routes: TRoutes) {
  return router({ statehouse: stateRouter, auth: authRouter, i18n: i18nRouter, admin: adminRouter, ...routes });
}

/** A start on a port another process holds, without `reusePort`. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(port: number, hostname: string, options?: ErrorOptions) {
    super(
      `Cannot listen on ${hostname} port ${port}: it is in use (another Statehouse process?). ` +
        'Stop that process or choose another PORT. To share the port on purpose, set reusePort (REUSE_PORT=true) ' +
        'in every process: the kernel then splits connections between them, so set BUS_URL too.',
      options,
    );
  }
}

function portInUse(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'EADDRINUSE' || (typeof message === 'string' && /in use|EADDRINUSE/i.test(message));
}

/** What a Redis bus must accept besides a push: the envelope, and identity events. */
const BUS_MESSAGE_SLACK = 64 * 1024;

/** With `busUrl`: the Redis identity bus and the Redis rate limits, shared by every process. */
async function sharedServices(config: StatehouseConfig, onError: (error: unknown) => void) {
  const url = config.busUrl!;
  const names = redisNamesOf(config);
  const bus = await createRedisBus(url, {
    onError,
    channel: names.identityChannel,
    maxMessageLength: Math.max(4 * MIB, config.push.maxBytes + BUS_MESSAGE_SLACK),
  });
  const limiter = createRedisRateLimiter(new Redis(url, { maxRetriesPerRequest: 3 }), {
    prefix: names.rateLimits,
    ipBurst: config.rateLimit.ipBurst,
    ipPerMinute: config.rateLimit.ipPerMinute,
    accountFreeFailures: config.rateLimit.accountFreeFailures,
  });
  return { bus, limiter };
}

function isLoaded(config: StatehouseOptions<AnyRouter>['config']): config is StatehouseConfig {
  return (
    !!config &&
    'hooks' in config &&
    'contextProcessors' in config &&
    'session' in config &&
    typeof (config as StatehouseConfig).session?.inactivityTimeoutMs === 'number'
  );
}

/**
 * The composition root: opens (and migrates) the database, builds the
 * runtime, and mounts the socket transport, the cookie endpoints, `/healthz`
 * and the client on one Elysia app.
 *
 * @example
 * const statehouse = await createStatehouse({ router: appRouter, slices: [dashboard] });
 * await statehouse.listen(3000);
 */
export async function createStatehouse<
  TRouter extends AnyRouter,
  const Slices extends readonly SliceDefinition[] = readonly SliceDefinition[],
>(options: StatehouseOptions<TRouter, Slices>): Promise<Statehouse<Slices>> {
  const config = isLoaded(options.config) ? options.config : loadConfig(options.config ?? {});
  // A config built by hand skipped loadConfig's checks; an app's own mailer or session backend replaces the configured one.
  const problems = [...(options.mailer ? [] : mailSettingsProblems(config)), ...(options.sessions ? [] : sessionBackendProblems(config))];
  if (problems.length > 0) throw new ConfigError(problems);
  const log = options.log ?? createLogger(config.logLevel);
  const database =
    options.database ??
    (await openMigratedDatabase(config.databaseUrl, config.databaseAuthToken, {
      migrate: config.autoMigrate,
      // No commit on the event loop copies the log into the file and syncs it.
      backgroundCheckpoints: { onFailure: (error) => log.warn('background checkpoints stopped; commits checkpoint again', { error }) },
    }));
  const userModel = (options.user ?? DEFAULT_USER_MODEL) as UserModel;
  if (options.sessions && options.sessions.userModel !== userModel) {
    throw new TypeError('createStatehouse: the session backend given as `sessions` reads users with another user model than `user`');
  }
  const onBusError = (error: unknown) => log.error('identity bus failed', { error });
  const shared = config.busUrl ? await sharedServices(config, onBusError) : null;
  const bus = options.bus ?? shared?.bus ?? createMemoryBus(onBusError);
  const sessions =
    options.sessions ??
    (await openSessionBackend(config, database.db, (error) => log.error('session backend failed', { error }), userModel));
  // Read on every event: built once, not per call.
  const plainCookieName = cookieNameFor(config, false);
  const secureCookieName = cookieNameFor(config, true);
  const slices = new Map<string, SliceDefinition>([...FRAMEWORK_SLICES, ...(options.slices ?? [])].map((def) => [def.name, def]));
  const registry = new ConnectionRegistry();
  const { socket } = config;
  const resumeStash = config.busUrl
    ? await createRedisResumeStash(config.busUrl, {
        prefix: redisNamesOf(config).resumeStash,
        graceMs: socket.resumeGraceMs,
        max: socket.resumeStashMax,
        entryMaxBytes: socket.resumeStashEntryMaxBytes,
        takeTimeoutMs: socket.resumeTakeTimeoutMs,
        slices,
        log,
      })
    : memoryResumeStash(registry, socket);
  const background = new BackgroundTasks(log);
  const pusher = createPusher<Slices>({ bus, slices, maxBytes: config.push.maxBytes });
  const runtime: Runtime = {
    config,
    db: database.db,
    database,
    log,
    bus,
    registry,
    resumeStash,
    pusher,
    snapshots: new AuthSnapshots(database.db, config.auth.snapshotIncludeGroups, userModel),
    hashing: new HashingPool(HASHING_SLOTS, HASHING_NICE),
    rotations: new RecentRotations(),
    slices,
    sessionSettings: sessionSettingsOf(config),
    userModel,
    sessions,
    limiter:
      options.limiter ??
      shared?.limiter ??
      createMemoryRateLimiter({
        ipBurst: config.rateLimit.ipBurst,
        ipPerMinute: config.rateLimit.ipPerMinute,
        accountFreeFailures: config.rateLimit.accountFreeFailures,
      }),
    mailer: options.mailer ?? createMailer(config, log),
    background,
    audit: new AuditLog(database.db, { log, scheduler: background, onAuditEvent: config.hooks.onAuditEvent }),
    cookieName: (secure) => (secure ? secureCookieName : plainCookieName),
  };
  if (config.env === 'production' && !config.publicUrl && config.allowedHosts.length === 0) {
    log.warn('only localhost, 127.0.0.1 and [::1] are served: set PUBLIC_URL or ALLOWED_HOSTS to the names this site answers to');
  }
  const unsubscribe = bus.subscribe((event) => applyBusEvent(runtime, event));
  // Idle tabs let go of their expired session caches (see dropStaleValidations).
  const sweeper = setInterval(() => runtime.registry.dropStaleValidations(), VALIDATION_SWEEP_MS);
  sweeper.unref();
  const housekeeping = new Housekeeping(database.db, sessions, {
    ...config.housekeeping,
    log,
    auditRetentionMs: config.audit.retentionDays * DAY,
  });
  housekeeping.start();

  const app = new Elysia({
    name: 'statehouse',
    websocket: socketServerOptions(config),
  })
    .use(requestGuard(runtime))
    .get('/healthz', async ({ status }) => {
      try {
        await database.client.execute('SELECT 1');
        return { status: 'ok', db: 'ok' };
      } catch (error) {
        log.error('health check: database unavailable', { error: String(error) });
        return status(503, { status: 'unavailable', db: 'error' });
      }
    })
    .use(socketTransport(runtime, options.router))
    .use(authRoutes(runtime));
  if (Object.keys(config.oauth.providers).length > 0) app.use(oauthRoutes(runtime));
  if (config.auth.magicLink) app.use(signInLinkRoutes(runtime));
  if (options.http) app.use(typeof options.http === 'function' ? options.http(runtime) : options.http);
  if (options.clientDir) {
    const resetPrefix = config.auth.passwordResetUrl;
    app.use(
      staticClient(
        options.clientDir,
        (path): Record<string, string> =>
          path === resetPrefix || path.startsWith(`${resetPrefix}/`) ? { 'referrer-policy': 'no-referrer' } : {},
        { sourceMaps: clientSourceMaps(config), languages: config.languages },
      ),
    );
  }

  let stopped = false;
  return {
    app,
    runtime,
    housekeeping,
    push: pusher.push,
    toast: pusher.toast,
    navigate: pusher.navigate,
    async listen(port = config.port, hostname = '127.0.0.1') {
      try {
        app.listen({ port, hostname, reusePort: config.reusePort });
      } catch (error) {
        throw portInUse(error) ? new PortInUseError(port, hostname, { cause: error }) : error;
      }
      const server = app.server!;
      return { url: `http://${hostname}:${server.port}`, port: server.port! };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sweeper);
      // Before the database closes: a running pass ends and gives its lease back.
      await housekeeping.stop();
      unsubscribe();
      for (const conn of runtime.registry.all) conn.close();
      // Closing the sockets keeps their tabs' slices for resume (in Redis: on another process).
      if (app.server) await app.stop(true);
      await resumeStash.close();
      await runtime.background.close();
      // The backend it built (an app's own mailer is the app's to close).
      if (!options.mailer) await runtime.mailer.close?.();
      // After the drain: a mail in the background may still have hashed nothing, but a reply may have.
      await runtime.hashing.close();
      await bus.close();
      await shared?.limiter.close();
      if (!options.sessions) await sessions.close();
      if (!options.database) await database.close();
    },
  };
}

export { clientSourceMaps, loadConfig, loadPusherConfig, type PusherConfig } from './config';
export type { StatehouseConfig, StatehouseConfigInput, StatehouseHooks, HookAnswer } from './config';
export type { LoginOptions, LogoutOptions } from './auth/auth-api';
export { router, middleware, type EventContext, type ConnectionContext } from './bridge/trpc';
export { publicProcedure, guarded } from './bridge/bridge';
export {
  authed,
  can,
  groupRequired,
  staffRequired,
  superuserRequired,
  type Guard,
  type GuardCheck,
  type AuthedOptions,
  type DenyOptions,
} from './bridge/guards';
export { recentAuth, twoFactorRequired, verifiedEmailRequired, type RecentAuthOptions } from './bridge/account-guards';
export { isSecondStepPending, type SecondStepPending } from './auth/auth-api';
export type { TwoFactorApi } from './auth/two-factor-api';
export type { PendingSecondStep, SecondStepAnswer } from './auth/two-factor-flow';
export type { FirstFactor, SecondFactor, SignInMethod } from './auth/session';
export { EventError } from './bridge/reply';
export type { Runtime } from './runtime';
export { isLoggedIn, ANONYMOUS_USER, type AuthUser, type BaseAuthUser, type LoggedInUser } from './auth/user';
export { defineUserModel, DEFAULT_USER_MODEL, type UserModel, type UserModelOptions } from './auth/user-model';
export { defineUsersTable } from '../db/schema/auth';
export type { Register, UserFields, SnapshotFields, RegistrationFields, AuthSnapshot } from './state/protocol';
export { defineSlice } from './state/slices';
export { currentUser, currentRequest, currentSession, requireLoginUser, request, userHasPerm, hasGroup } from './bridge/accessors';
export type { SessionData } from './auth/session-store';
export type { SessionValue } from './auth/session-data';
export type { PermissionMap } from './auth/permissions';
export { createPusher, connectPusher, type Pusher, type ConnectedPusher, type PushOptions, type SlicePatch } from './bus/pusher';
export { PushError, PUSH_ERRORS, type PushErrorCode, type PushIssue, type PushTarget } from './bus/push-event';
export type { AppAction } from './state/protocol';
export type { EventRequest } from './request';
export { withContext, contextOf } from './context/middleware';
export { runContextProcessors, ContextProcessorError, type ContextProcessor, type ContextOf } from './context/processors';
export {
  siteProcessor,
  languageProcessor,
  userSnapshotProcessor,
  permissionsProcessor,
  type PermissionsContext,
  type BuiltinContext,
  type SiteContext,
  type LanguageContext,
  type UserSnapshot,
  type UserSnapshotContext,
} from './context/builtins';
export {
  messagesFor,
  messageFor,
  directionOf,
  LANGUAGE_DIRECTIONS,
  CATALOGS,
  type Messages,
  type MessageKey,
  type TextDirection,
} from './i18n/catalog';
export { negotiateLanguage, parseAcceptLanguage, matchLanguage, LANGUAGE_COOKIE, LANGUAGE_SESSION_KEY } from './i18n/negotiate';
export { i18nSlice, I18N_SLICE } from './i18n/slice';
export { identity, HttpAuth, withCurrent } from './http/identity';
export { HttpEventRequest, HttpSession, TooManyNewSessions } from './http/http-request';
export { authedRoute, canRoute, groupRoute, staffRoute, superuserRoute } from './http/guards';
export { scopedCrudRouter, scopedCrudProcedures, type ScopedCrudOptions, type CrudAction, type CrudActionRule } from './crud/router';
export { createScopedRepository, type ScopedRepository } from './crud/repository';
export { tooManyRequests, validationFailed } from './errors';
export { createLogger, redactUrl, type Logger } from './log';
export { openMigratedDatabase, type Database, type DatabaseHandle } from '../db/client';
export { hashingParams } from './auth/password';
export { createUser, ensurePermission, findUserByUsername, grantUserPermission } from './auth/users';
export {
  AUDIT_EVENT_TYPES,
  AuditLog,
  type AuditDetail,
  type AuditEntry,
  type AuditEvent,
  type AuditEventType,
  type AuditHook,
  type AuditUser,
  type AuditVia,
} from './auth/audit';
export { ADMIN_PERMISSIONS } from './auth/admin-data';
export { adminRouter } from './routers/admin-router';
export { accessSlice, adminSlice } from './state/admin-slices';
