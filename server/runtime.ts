import type { Database, DatabaseHandle } from '../db/client';
import type { IdentityBus } from './bus/identity-bus';
import type { HashingPool } from './auth/hashing-pool';
import type { AuthSnapshots } from './bridge/auth-snapshots';
import type { ConnectionRegistry } from './bridge/registry';
import type { StatehouseConfig } from './config';
import type { Logger } from './log';
import type { SliceDefinition } from './state/slices';
import type { SessionSettings } from './auth/session';
import type { SessionBackend } from './auth/session-backend';
import type { RateLimiter } from './auth/rate-limit';
import type { Mailer } from './mail/mailer';
import type { AuditLog } from './auth/audit';
import type { BackgroundTasks } from './background';
import type { RecentRotations } from './auth/recent-rotations';
import type { UserModel } from './auth/user-model';
import type { Pusher } from './bus/pusher';
import type { ResumeStash } from './bridge/resume-stash';

/**
 * Everything one Statehouse process shares between its connections. Built by
 * `createStatehouse`; handlers reach it as `ctx.runtime`.
 */
export interface Runtime {
  readonly config: StatehouseConfig;
  readonly db: Database;
  readonly database: DatabaseHandle;
  readonly log: Logger;
  readonly bus: IdentityBus;
  readonly registry: ConnectionRegistry;
  /** Where closed tabs' slices wait for a reconnect: in-process, or in Redis with `busUrl`. */
  readonly resumeStash: ResumeStash;
  /** `push`, `toast` and `navigate` to open tabs from outside their events (also `statehouse.push`, …). */
  readonly pusher: Pusher;
  /** The `auth` slice of each live user, made once per user object. */
  readonly snapshots: AuthSnapshots;
  /** The threads that hash passwords (argon2id); `stop()` ends them. */
  readonly hashing: HashingPool;
  /** Sessions this process rotated in the last minute (see `RecentRotations`). */
  readonly rotations: RecentRotations;
  /** Declared slices by name (others are added on first use). */
  readonly slices: Map<string, SliceDefinition>;
  readonly sessionSettings: SessionSettings;
  /** The app's own user fields (`createStatehouse({ user })`; Statehouse's own only by default). */
  readonly userModel: UserModel;
  /** Where sessions and their data are kept (`session.backend`). */
  readonly sessions: SessionBackend;
  readonly limiter: RateLimiter;
  readonly mailer: Mailer;
  /** Work that runs after a reply (mails, …); `stop()` drains it. */
  readonly background: BackgroundTasks;
  /** The security audit log (`runtime.audit.record({...})`, written after the reply). */
  readonly audit: AuditLog;
  /** The session cookie's name for a plain-http or an https client. */
  cookieName(secure: boolean): string;
}

export function sessionSettingsOf(config: StatehouseConfig): SessionSettings {
  return {
    inactivityTimeoutMs: config.session.inactivityTimeoutMs,
    renewalIntervalMs: config.session.renewalIntervalMs,
    absoluteLifetimeMs: config.session.absoluteLifetimeMs,
  };
}
