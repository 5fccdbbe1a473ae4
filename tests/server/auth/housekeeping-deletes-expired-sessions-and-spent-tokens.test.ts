import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { openMigratedDatabase, type DatabaseHandle } from '../../../db/client';
import { acquireLease, leaseHolder, releaseLease } from '../../../db/lease';
import { authTokens, leases, sessions, users } from '../../../db/schema';
import { createStatehouse, loadConfig, type Statehouse, type StatehouseConfigInput } from '../../../server';
import { Housekeeping, HOUSEKEEPING_LEASE } from '../../../server/auth/housekeeping';
import { createLibsqlSessionBackend } from '../../../server/auth/libsql-session-backend';
import { consumePasswordResetToken, issuePasswordResetToken } from '../../../server/auth/password-reset';
import { createSession, listUserSessions, type SessionSettings } from '../../../server/auth/session';
import { readSessionData, writeSessionKey } from '../../../server/auth/session-data';
import { issueCookieTicket, redeemCookieTicket } from '../../../server/auth/tickets';
import { DAY, HOUR, MINUTE } from '../../../server/config';
import { createLogger } from '../../../server/log';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { SESSION_BACKEND_NAMES, useSessionBackend } from '../../helpers/session-backends';
import { waitFor } from '../../helpers/wait-for';
import { testRouter } from '../../helpers/server';

const SETTINGS: SessionSettings = { inactivityTimeoutMs: 14 * DAY, renewalIntervalMs: 1 * HOUR, absoluteLifetimeMs: 30 * DAY };
const silent = createLogger('silent');

const idOf = (token: string) => token.split('.')[0]!;

describe.each(SESSION_BACKEND_NAMES)('a housekeeping pass with the %s session backend', (name) => {
  const store = useSessionBackend(name);

  test('deletes expired sessions with their data, used and expired tickets and reset tokens; keeps live ones', async () => {
    const { t, sessions: backend } = store;
    const insertUser = async (username: string) =>
      (await t.db.insert(users).values({ username, passwordHash: '!', dateJoined: Date.now() }).returning({ id: users.id }))[0]!.id;
    /** A session with three keys of data, created `ageMs` ago (Redis drops one that has expired by then: no keys). */
    const sessionWithData = async (userId: number | null, ageMs: number) => {
      const { session, token } = await createSession(backend, SETTINGS, { userId }, Date.now() - ageMs);
      if (await backend.find(session.id)) for (let i = 0; i < 3; i++) await writeSessionKey(backend, session.id, `key${i}`, `value ${i}`);
      return { id: session.id, token };
    };
    const tokenIds = async () => (await t.db.select({ id: authTokens.id }).from(authTokens)).map((r) => r.id).sort();

    const alice = await insertUser('alice');
    const live = await sessionWithData(alice, 0);
    const liveAnonymous = await sessionWithData(null, 0);
    const idle = await sessionWithData(null, SETTINGS.inactivityTimeoutMs + HOUR);
    const idleSignedIn = await sessionWithData(alice, SETTINGS.inactivityTimeoutMs + MINUTE);
    const tooOld = await sessionWithData(alice, SETTINGS.absoluteLifetimeMs + HOUR);
    // Past its absolute lifetime, though its inactivity window was (wrongly) pushed on.
    if (name === 'libsql')
      await t.db
        .update(sessions)
        .set({ expiresAt: Date.now() + DAY })
        .where(eq(sessions.id, tooOld.id));

    const ticket = (sessionToken: { id: string; token: string }, issuedAgo = 0) =>
      issueCookieTicket(t.db, { sessionId: sessionToken.id, sessionToken: sessionToken.token, ttlMs: 30_000 }, Date.now() - issuedAgo);
    const liveTicket = await ticket(live);
    const usedTicket = await ticket(live);
    expect(await redeemCookieTicket(t.db, usedTicket)).not.toBeNull();
    const expiredTicket = await ticket(live, MINUTE);
    const ticketOfIdleSession = await ticket(idle);

    // One user each: issuing a reset link deletes the user's older ones.
    const [bob, carol] = [await insertUser('bob'), await insertUser('carol')];
    const liveReset = await issuePasswordResetToken(t.db, alice, HOUR);
    const usedReset = await issuePasswordResetToken(t.db, bob, HOUR);
    expect(await consumePasswordResetToken(t.db, usedReset)).toBe(bob);
    const expiredReset = await issuePasswordResetToken(t.db, carol, HOUR, Date.now() - 2 * HOUR);

    // Batches of 2: every kind of row takes several statements.
    const pass = await new Housekeeping(t.db, backend, { intervalMs: 0, batchSize: 2, log: silent }).runOnce();

    // Redis expired the sessions itself: there were none left to delete.
    const expired = name === 'libsql' ? { sessions: 3, sessionData: 9 } : { sessions: 0, sessionData: 0 };
    expect(pass).toEqual({ ran: true, deleted: { ...expired, tokens: 4, auditEvents: 0 } });
    for (const kept of [live, liveAnonymous]) {
      expect(await backend.find(kept.id)).not.toBeNull();
      expect((await readSessionData(backend, kept.id)).size).toBe(3);
    }
    for (const gone of [idle, idleSignedIn, tooOld]) {
      expect(await backend.find(gone.id)).toBeNull();
      expect((await readSessionData(backend, gone.id)).size).toBe(0);
    }
    expect((await listUserSessions(backend, alice)).map((s) => s.id)).toEqual([live.id]);
    // The idle session's unexpired ticket stays until its own expiry (60 s at most): it
    // names a session that no longer validates, so the cookie endpoint refuses it.
    expect(await tokenIds()).toEqual([idOf(liveTicket), idOf(liveReset), idOf(ticketOfIdleSession)].sort());
    for (const gone of [usedTicket, expiredTicket, usedReset, expiredReset]) expect(await tokenIds()).not.toContain(idOf(gone));
    // Nothing left to do, and the lease was given back.
    expect(await new Housekeeping(t.db, backend, { intervalMs: 0, batchSize: 2, log: silent }).runOnce()).toEqual({
      ran: true,
      deleted: { sessions: 0, sessionData: 0, tokens: 0, auditEvents: 0 },
    });
    expect(await t.db.select().from(leases)).toEqual([]);
  });
});

/** The lease and the schedule, on the default backend (libSQL): they are the same whichever keeps the sessions. */
describe('with the libSQL session backend', () => {
  let t: TestDatabase;
  const extra: DatabaseHandle[] = [];
  const running: Statehouse[] = [];

  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    for (const statehouse of running.splice(0)) await statehouse.stop();
    for (const handle of extra.splice(0)) await handle.close();
    t.cleanup();
  });

  /** A second connection to the same database file, as another process has. */
  async function sameDatabase(): Promise<DatabaseHandle> {
    const handle = await openMigratedDatabase(`file:${t.path}`);
    extra.push(handle);
    return handle;
  }

  /** A session with `keys` keys of data, created `ageMs` ago. */
  async function sessionWithData(userId: number | null, ageMs: number, keys = 3): Promise<{ id: string; token: string }> {
    const backend = createLibsqlSessionBackend(t.db);
    const { session, token } = await createSession(backend, SETTINGS, { userId }, Date.now() - ageMs);
    for (let i = 0; i < keys; i++) await writeSessionKey(backend, session.id, `key${i}`, `value ${i}`);
    return { id: session.id, token };
  }

  async function sessionIds(): Promise<string[]> {
    return (await t.db.select({ id: sessions.id }).from(sessions)).map((r) => r.id).sort();
  }

  function runtimeOn(database: DatabaseHandle, config: StatehouseConfigInput = {}): Promise<Statehouse> {
    const loaded = loadConfig({ env: 'test', logLevel: 'silent', databaseUrl: `file:${t.path}`, ...config }, {});
    return createStatehouse({ router: testRouter, config: loaded, database, log: silent }).then(async (statehouse) => {
      running.push(statehouse);
      await statehouse.listen(0);
      return statehouse;
    });
  }

  describe('a housekeeping pass', () => {
    test('does not run while another holder has the lease', async () => {
      await sessionWithData(null, SETTINGS.inactivityTimeoutMs + HOUR);
      expect(await acquireLease(t.db, HOUSEKEEPING_LEASE, 'another process', 5 * MINUTE)).toBe(true);
      const pass = await new Housekeeping(t.db, createLibsqlSessionBackend(t.db), { intervalMs: 0, batchSize: 10, log: silent }).runOnce();
      expect(pass).toMatchObject({ ran: false, reason: 'busy' });
      expect((await sessionIds()).length).toBe(1);
    });
  });

  describe('the housekeeping lease', () => {
    test('one holder at a time, across connections to one file; free again once released or expired', async () => {
      const other = await sameDatabase();
      const now = Date.now();
      expect(await acquireLease(t.db, 'job', 'a', MINUTE, now)).toBe(true);
      expect(await acquireLease(other.db, 'job', 'b', MINUTE, now)).toBe(false);
      // The holder renews.
      expect(await acquireLease(t.db, 'job', 'a', MINUTE, now + 30_000)).toBe(true);
      expect(await leaseHolder(other.db, 'job', now + 30_000)).toEqual({ holder: 'a', expiresAt: now + 90_000 });
      expect(await acquireLease(other.db, 'job', 'b', MINUTE, now + 89_999)).toBe(false);
      // Expired: another takes it, and the old holder cannot renew.
      expect(await acquireLease(other.db, 'job', 'b', MINUTE, now + 90_000)).toBe(true);
      expect(await acquireLease(t.db, 'job', 'a', MINUTE, now + 90_001)).toBe(false);
      // A release by someone who does not hold it changes nothing.
      await releaseLease(t.db, 'job', 'a');
      expect((await leaseHolder(t.db, 'job', now + 90_001))?.holder).toBe('b');
      await releaseLease(other.db, 'job', 'b');
      expect(await acquireLease(t.db, 'job', 'a', MINUTE, now + 90_002)).toBe(true);
    });

    test('of many concurrent takers on two connections, exactly one gets it', async () => {
      const other = await sameDatabase();
      const attempts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => acquireLease(i % 2 ? other.db : t.db, 'race', `holder-${i}`, MINUTE)),
      );
      expect(attempts.filter(Boolean).length).toBe(1);
    });
  });

  describe('housekeeping in a running Statehouse', () => {
    test('two runtimes on one database file: only one runs a pass at a time', async () => {
      for (let i = 0; i < 20; i++) await sessionWithData(null, SETTINGS.inactivityTimeoutMs + HOUR, 1);
      const first = await runtimeOn(t, { housekeeping: { intervalMs: 0, batchSize: 1 } });
      const second = await runtimeOn(await sameDatabase(), { housekeeping: { intervalMs: 0, batchSize: 1 } });
      expect(first.housekeeping.holder).not.toBe(second.housekeeping.holder);

      const passes = await Promise.all([first.housekeeping.runOnce(), second.housekeeping.runOnce()]);
      expect(passes.filter((p) => p.ran).length).toBe(1);
      expect(passes.find((p) => !p.ran)).toMatchObject({ ran: false, reason: 'busy' });
      expect(passes.find((p) => p.ran)).toEqual({ ran: true, deleted: { sessions: 20, sessionData: 20, tokens: 0, auditEvents: 0 } });
      expect(await sessionIds()).toEqual([]);
      // Given back: the other may run the next one.
      expect((await second.housekeeping.runOnce()).ran).toBe(true);
    });

    test('runs on its schedule, and stop() ends the schedule and gives the lease back', async () => {
      const expired = await sessionWithData(null, SETTINGS.inactivityTimeoutMs + HOUR);
      const statehouse = await runtimeOn(t, { housekeeping: { intervalMs: 20 } });
      expect(statehouse.housekeeping.scheduled).toBe(true);
      await waitFor(async () => !(await sessionIds()).includes(expired.id));

      await statehouse.stop();
      expect(statehouse.housekeeping.scheduled).toBe(false);
      expect(await statehouse.housekeeping.runOnce()).toEqual({ ran: false, reason: 'stopped' });
    });

    test('stop() during a pass ends it after the current batch and releases the lease', async () => {
      for (let i = 0; i < 50; i++) await sessionWithData(null, SETTINGS.inactivityTimeoutMs + HOUR, 0);
      const statehouse = await runtimeOn(await sameDatabase(), { housekeeping: { intervalMs: 0, batchSize: 1 } });
      const pass = statehouse.housekeeping.runOnce();
      await statehouse.stop();
      const result = await pass;
      expect(result.ran).toBe(true);
      if (result.ran) expect(result.deleted.sessions).toBeLessThan(50);
      expect(await t.db.select().from(leases)).toEqual([]);
    });

    test('intervalMs 0 schedules nothing', async () => {
      const statehouse = await runtimeOn(t, { housekeeping: { intervalMs: 0 } });
      expect(statehouse.housekeeping.scheduled).toBe(false);
    });
  });
});
