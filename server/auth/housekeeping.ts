import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { acquireLease, leaseHolder, releaseLease } from '../../db/lease';
import { authTokens, pendingSecondSteps, trustedDevices } from '../../db/schema';
import { MINUTE } from '../config';
import { describeDatabaseError } from '../errors';
import type { Logger } from '../log';
import { yieldToEvents } from '../background';
import { deleteAuditEventsBefore } from './audit';
import type { SessionBackend } from './session-backend';

/** The lease that lets one process at a time run a pass. */
export const HOUSEKEEPING_LEASE = 'housekeeping';

/**
 * How long a pass may hold the lease without renewing it; it renews after
 * every batch. A process that dies mid-pass holds up the others this long.
 */
const LEASE_TTL_MS = 5 * MINUTE;

/** What one pass deleted. */
export interface HousekeepingCounts {
  /** Expired sessions (past their inactivity or absolute expiry); 0 with a backend that expires them itself (Redis). */
  sessions: number;
  /** The keys those sessions held. */
  sessionData: number;
  /** Used or expired cookie tickets and password-reset tokens, expired trusted devices and pending second steps. */
  tokens: number;
  /** Audit events past their retention (`audit.retentionDays`). */
  auditEvents: number;
}

/** A pass that ran, or why it did not: another process holds the lease, or this one is stopped. */
export type HousekeepingPass =
  | { ran: true; deleted: HousekeepingCounts }
  | { ran: false; reason: 'busy'; heldUntil: number | null }
  | { ran: false; reason: 'stopped' };

export interface HousekeepingOptions {
  /** Time between scheduled passes; 0: none (`runOnce` only). */
  intervalMs: number;
  /** Rows deleted per statement, so no statement holds the write lock long. */
  batchSize: number;
  log: Logger;
  /** This process's name on the lease (default: a random id). */
  holder?: string;
  /** How long audit events are kept; none are deleted when omitted. */
  auditRetentionMs?: number;
}

/** One statement's deletes: at most `limit` rows, each a row that expired by `now`. */
type BatchDelete = (db: Database, now: number, limit: number) => Promise<number>;

const deleteStaleTokenBatch: BatchDelete = async (db, now, limit) => {
  const result = await db.run(sql`DELETE FROM ${authTokens} WHERE ${authTokens.id} IN (
    SELECT ${authTokens.id} FROM ${authTokens}
    WHERE ${authTokens.expiresAt} <= ${now} OR ${authTokens.usedAt} IS NOT NULL LIMIT ${limit})`);
  return result.rowsAffected;
};

/** Expired rows of a table of `id.secret` tokens kept beside `auth_tokens` (trusted devices, pending second steps). */
function deleteExpiredBatch(table: typeof trustedDevices | typeof pendingSecondSteps): BatchDelete {
  return async (db, now, limit) => {
    const result = await db.run(sql`DELETE FROM ${table} WHERE ${table.id} IN (
      SELECT ${table.id} FROM ${table} WHERE ${table.expiresAt} <= ${now} LIMIT ${limit})`);
    return result.rowsAffected;
  };
}

function deleteOldAuditBatch(retentionMs: number): BatchDelete {
  return (db, now, limit) => deleteAuditEventsBefore(db, now - retentionMs, limit);
}

/**
 * Deletes what no one can use any more: expired sessions and their data (in
 * the session backend: the libSQL backend's rows; Redis expires its entries
 * itself, so there is nothing to delete), used and expired cookie tickets and
 * password-reset tokens, and audit events past their retention. Each statement deletes at most `batchSize` rows (a
 * short hold on the write lock) and the event loop runs between two. One
 * process at a time runs a pass: it takes a lease row in the database first,
 * so processes sharing one database do not compete for its write lock.
 * `createStatehouse` schedules passes every `housekeeping.intervalMs`; `bun
 * run manage clearsessions` runs one.
 *
 * @example
 * const housekeeping = new Housekeeping(db, runtime.sessions, { intervalMs: HOUR, batchSize: 500, log });
 * housekeeping.start();
 * await housekeeping.stop();
 */
export class Housekeeping {
  readonly holder: string;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pass: Promise<HousekeepingPass> | null = null;
  private stopped = false;
  /** The running pass must end: `stop()` was called or its lease was lost. */
  private halted = false;

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionBackend,
    private readonly options: HousekeepingOptions,
  ) {
    this.holder = options.holder ?? crypto.randomUUID();
  }

  /** Whether a pass is scheduled. */
  get scheduled(): boolean {
    return this.timer !== null;
  }

  /** Schedules a pass every `intervalMs` (nothing when it is 0). */
  start(): void {
    if (this.options.intervalMs > 0 && !this.stopped && !this.timer) this.schedule();
  }

  /** Runs one pass now (or joins the one running), if the lease is free. */
  runOnce(now?: number): Promise<HousekeepingPass> {
    if (this.stopped) return Promise.resolve({ ran: false, reason: 'stopped' });
    this.pass ??= this.leasedPass(now).finally(() => {
      this.pass = null;
    });
    return this.pass;
  }

  /** Cancels the schedule and waits for a running pass to stop (it gives the lease back). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.pass?.catch(() => {});
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runOnce()
        .then((pass) => this.report(pass))
        .catch((error: unknown) =>
          this.options.log.warn('housekeeping pass failed; the next one retries', { error: describeDatabaseError(error) }),
        )
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private report(pass: HousekeepingPass): void {
    if (!pass.ran) {
      if (pass.reason === 'busy') this.options.log.debug('housekeeping: another process holds the lease');
      return;
    }
    const { sessions, sessionData, tokens, auditEvents } = pass.deleted;
    if (sessions + sessionData + tokens + auditEvents > 0) this.options.log.info('housekeeping: deleted stale rows', { ...pass.deleted });
  }

  private async leasedPass(now: number = Date.now()): Promise<HousekeepingPass> {
    const { db, holder } = this;
    if (!(await acquireLease(db, HOUSEKEEPING_LEASE, holder, LEASE_TTL_MS))) {
      return { ran: false, reason: 'busy', heldUntil: (await leaseHolder(db, HOUSEKEEPING_LEASE))?.expiresAt ?? null };
    }
    this.halted = false;
    try {
      const deleted: HousekeepingCounts = { sessions: 0, sessionData: 0, tokens: 0, auditEvents: 0 };
      deleted.tokens = await this.inBatches(deleteStaleTokenBatch, now);
      if (this.halted) return { ran: true, deleted };
      for (const table of [trustedDevices, pendingSecondSteps]) {
        deleted.tokens += await this.inBatches(deleteExpiredBatch(table), now);
        if (this.halted) return { ran: true, deleted };
      }
      const { auditRetentionMs } = this.options;
      if (auditRetentionMs !== undefined) {
        deleted.auditEvents = await this.inBatches(deleteOldAuditBatch(auditRetentionMs), now);
        if (this.halted) return { ran: true, deleted };
      }
      for await (const batch of this.sessions.deleteExpired(now, this.options.batchSize)) {
        deleted.sessions += batch.sessions;
        deleted.sessionData += batch.sessionData;
        if (!(await this.keepGoing())) break;
      }
      return { ran: true, deleted };
    } finally {
      await releaseLease(db, HOUSEKEEPING_LEASE, holder);
    }
  }

  /** Runs `batch` until it deletes less than a full batch; stops early on `stop()` or a lost lease. */
  private async inBatches(batch: BatchDelete, now: number): Promise<number> {
    const { batchSize } = this.options;
    let total = 0;
    for (;;) {
      const count = await batch(this.db, now, batchSize);
      total += count;
      if (count < batchSize || !(await this.keepGoing())) return total;
    }
  }

  /** Between two statements: lets events run, renews the lease; `false` once the pass must end. */
  private async keepGoing(): Promise<boolean> {
    await yieldToEvents();
    this.halted = this.stopped || !(await acquireLease(this.db, HOUSEKEEPING_LEASE, this.holder, LEASE_TTL_MS));
    return !this.halted;
  }
}
