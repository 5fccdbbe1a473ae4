import { and, desc, eq, gte, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { type AuditEventRow, auditEvents, users } from '../../db/schema';
import type { Logger } from '../log';

/**
 * Every security event the audit log knows, by name. Parts of Statehouse that
 * add a sign-in method or a factor record their events under these names, so
 * filters, the pages and `onAuditEvent` consumers see one vocabulary.
 */
export const AUDIT_EVENT_TYPES = [
  // Sign-in and sessions
  'login.succeeded',
  'login.failed',
  'logout',
  'session.revoked',
  // Credentials and factors
  'password.changed',
  'password.reset',
  'password.removed',
  'email.changed',
  'email.verified',
  'two_factor.enabled',
  'two_factor.disabled',
  'two_factor.failed',
  'recovery_code.used',
  'recovery_codes.regenerated',
  'passkey.added',
  'passkey.removed',
  'provider.connected',
  'provider.disconnected',
  'reauth.succeeded',
  'reauth.failed',
  // The account itself
  'account.deleted',
  // Admin actions (the actor is the admin, the target the account changed)
  'admin.user_updated',
  'admin.user_deactivated',
  'admin.user_activated',
  'admin.user_deleted',
  'admin.staff_changed',
  'admin.superuser_changed',
  'admin.groups_changed',
  'admin.permissions_changed',
  'admin.signed_out_everywhere',
  'admin.password_reset_sent',
  'admin.two_factor_reset',
  'admin.group_created',
  'admin.group_renamed',
  'admin.group_deleted',
  'admin.group_permissions_changed',
  'admin.group_members_changed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** Where an event came from. */
export type AuditVia = 'socket' | 'http' | 'cli';

/** A user as an audit row names them: id and the username they had then. */
export interface AuditUser {
  readonly id: number;
  readonly username: string;
}

/** What `detail` may hold: short, flat, and never a secret. */
export type AuditDetail = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

/** One event to record. */
export interface AuditEntry {
  type: AuditEventType;
  /** Who acted (null: anonymous, or the command line). */
  actor?: AuditUser | null;
  /** Whose account it concerns (defaults to the actor). */
  target?: AuditUser | null;
  ip?: string;
  userAgent?: string;
  via?: AuditVia;
  detail?: AuditDetail;
}

/** A recorded event, as the pages and `onAuditEvent` see it. */
export interface AuditEvent {
  id: number;
  at: number;
  type: AuditEventType;
  actorId: number | null;
  actorName: string;
  targetUserId: number | null;
  targetName: string;
  ip: string;
  userAgent: string;
  via: AuditVia;
  detail: AuditDetail;
}

/** Longest user agent kept (the rest is cut). */
const MAX_USER_AGENT = 300;
/** Longest string kept in `detail`. */
const MAX_DETAIL_STRING = 200;
/** Keys `detail` refuses whatever their value: a secret never enters the log by mistake. */
const SECRET_KEY = /pass|token|secret|code|otp|ticket|cookie|hash|key/i;

/** `detail` made safe: secret-looking keys dropped, strings cut, lists capped. */
export function safeDetail(detail: AuditDetail | undefined): AuditDetail {
  if (!detail) return {};
  const out: Record<string, string | number | boolean | null | string[]> = {};
  for (const [key, value] of Object.entries(detail)) {
    if (SECRET_KEY.test(key)) continue;
    if (Array.isArray(value)) out[key] = value.slice(0, 50).map((v) => String(v).slice(0, MAX_DETAIL_STRING));
    else if (typeof value === 'string') out[key] = value.slice(0, MAX_DETAIL_STRING);
    else out[key] = value as number | boolean | null;
  }
  return out;
}

/**
 * An email address as audit details show it: the first character of the
 * mailbox, then `***`, then the domain (`a***@example.com`). Enough to tell
 * addresses apart in the log, not enough to mail or sign in with.
 */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address.slice(0, 1)}***${address.slice(at)}`;
}

function toEvent(row: AuditEventRow): AuditEvent {
  let detail: AuditDetail = {};
  try {
    detail = JSON.parse(row.detail) as AuditDetail;
  } catch {}
  return { ...row, type: row.type as AuditEventType, via: row.via as AuditVia, detail };
}

/** A user whose name the caller did not know (`username: ''`), named from the database. */
async function named(db: Database, user: AuditUser | null): Promise<AuditUser | null> {
  if (user === null) return null;
  if (user.username) return user;
  const [row] = await db.select({ username: users.username }).from(users).where(eq(users.id, user.id));
  return { id: user.id, username: row?.username ?? '' };
}

/** The insert of one event whose actor and target are named already, returning its row. */
function insertOf(db: Database, entry: AuditEntry, actor: AuditUser | null, target: AuditUser | null, at: number) {
  return db
    .insert(auditEvents)
    .values({
      at,
      type: entry.type,
      actorId: actor?.id ?? null,
      actorName: actor?.username ?? '',
      targetUserId: target?.id ?? null,
      targetName: target?.username ?? '',
      ip: entry.ip ?? '',
      userAgent: (entry.userAgent ?? '').slice(0, MAX_USER_AGENT),
      via: entry.via ?? 'socket',
      detail: JSON.stringify(safeDetail(entry.detail)),
    })
    .returning();
}

/** Appends one event; returns it as recorded. */
export async function insertAuditEvent(db: Database, entry: AuditEntry, at: number = Date.now()): Promise<AuditEvent> {
  const actor = await named(db, entry.actor ?? null);
  const target = entry.target === undefined ? actor : await named(db, entry.target);
  const [row] = await insertOf(db, entry, actor, target, at);
  return toEvent(row!);
}

/** What the admin's audit log filters by. */
export interface AuditQuery {
  /** Events of these types (none: all). */
  types?: readonly string[];
  /** Events whose actor or target has this user id. */
  userId?: number;
  /** Events that concern this user's account. */
  targetUserId?: number;
  /** Events whose actor or target name contains this text. */
  name?: string;
  ip?: string;
  since?: number;
  before?: number;
  offset?: number;
  limit: number;
}

/** A page of events, newest first, and how many match. */
export async function listAuditEvents(db: Database, query: AuditQuery): Promise<{ rows: AuditEvent[]; total: number }> {
  const where: SQL[] = [];
  if (query.types && query.types.length > 0) where.push(sql`${auditEvents.type} IN ${query.types}`);
  if (query.userId !== undefined) where.push(or(eq(auditEvents.actorId, query.userId), eq(auditEvents.targetUserId, query.userId))!);
  if (query.targetUserId !== undefined) where.push(eq(auditEvents.targetUserId, query.targetUserId));
  if (query.name) {
    const like = `%${query.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(sql`(${auditEvents.actorName} LIKE ${like} ESCAPE '\\' OR ${auditEvents.targetName} LIKE ${like} ESCAPE '\\')`);
  }
  if (query.ip) where.push(eq(auditEvents.ip, query.ip));
  if (query.since !== undefined) where.push(gte(auditEvents.at, query.since));
  if (query.before !== undefined) where.push(lt(auditEvents.at, query.before));
  const condition = where.length > 0 ? and(...where) : undefined;
  const [rows, [count]] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .where(condition)
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(query.limit)
      .offset(query.offset ?? 0),
    db.select({ n: sql<number>`count(*)` }).from(auditEvents).where(condition),
  ]);
  return { rows: rows.map(toEvent), total: Number(count?.n ?? 0) };
}

/** Deletes at most `limit` events older than `before`; returns how many. */
export async function deleteAuditEventsBefore(db: Database, before: number, limit: number): Promise<number> {
  const result = await db.run(sql`DELETE FROM ${auditEvents} WHERE ${auditEvents.id} IN (
    SELECT ${auditEvents.id} FROM ${auditEvents} WHERE ${auditEvents.at} < ${before} LIMIT ${limit})`);
  return result.rowsAffected;
}

/** Ships recorded events elsewhere (`hooks.onAuditEvent`). */
export type AuditHook = (event: AuditEvent) => void | Promise<void>;

/** Runs work after the current reply (the runtime's background tasks). */
export interface AuditScheduler {
  later(label: string, task: () => Promise<void>): void;
}

/**
 * The audit log one process writes to. `record` appends after the current
 * reply (it adds nothing to the event's latency, and a failed sign-in's row
 * cannot time the answer); `write` appends now (the command line, tests).
 * Each recorded event then goes to `onAuditEvent`, whose failure is logged.
 *
 * @example
 * runtime.audit.record({ type: 'passkey.added', actor: user, ip, userAgent, detail: { name: 'Laptop' } });
 */
export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly options: { log: Logger; scheduler?: AuditScheduler; onAuditEvent?: AuditHook },
  ) {}

  /** Appends `entry` once the current reply is written. */
  record(entry: AuditEntry): void {
    const at = Date.now();
    const { scheduler } = this.options;
    if (scheduler) scheduler.later(`audit ${entry.type}`, () => this.write(entry, at).then(() => {}));
    else
      void this.write(entry, at).catch((error: unknown) => this.options.log.error('audit event not recorded', { type: entry.type, error }));
  }

  /** Appends `entry` now and hands it to `onAuditEvent`. */
  async write(entry: AuditEntry, at: number = Date.now()): Promise<AuditEvent> {
    const event = await insertAuditEvent(this.db, entry, at);
    await this.ship(event);
    return event;
  }

  /**
   * `entry` as an insert for the caller's own transaction (a sign-in's, with
   * its session), its actor and target named as given (`username` filled
   * in). Once it committed, hand its result to {@link committed}.
   */
  insert(entry: AuditEntry, at: number = Date.now()) {
    const actor = entry.actor ?? null;
    return insertOf(this.db, entry, actor, entry.target === undefined ? actor : entry.target, at);
  }

  /** The rows an {@link insert} returned, committed: `onAuditEvent` hears of them after the current reply. */
  committed(rows: unknown): void {
    for (const row of rows as AuditEventRow[]) {
      const event = toEvent(row);
      const { scheduler } = this.options;
      if (scheduler) scheduler.later(`audit ${event.type}`, () => this.ship(event));
      else void this.ship(event);
    }
  }

  private async ship(event: AuditEvent): Promise<void> {
    const hook = this.options.onAuditEvent;
    if (!hook) return;
    try {
      await hook(event);
    } catch (error) {
      this.options.log.error('onAuditEvent failed', { type: event.type, error });
    }
  }
}
