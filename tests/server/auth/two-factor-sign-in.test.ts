import { afterEach, beforeEach, describe, expect, setSystemTime, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditEvents, pendingSecondSteps, recoveryCodes, sessions, trustedDevices, twoFactorSecrets } from '../../../db/schema';
import { issuePendingSecondStep, trustDevice } from '../../../server/auth/two-factor';
import { loadConfig } from '../../../server';
import { createSession } from '../../../server/auth/session';
import { twoFactorKeyOf } from '../../../server/auth/two-factor-key';
import { createTestDatabase, createTestUser } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';
import { TestAuthenticator } from '../../helpers/two-factor';
import { eventually } from '../../helpers/wait-for';

const PASSWORD = 'correct horse battery';
const MINUTE = 60_000;
/** A fixed instant in the middle of a 30-second step. */
const T0 = Date.UTC(2026, 0, 15, 9, 0, 10);

let server: TestServer;
let now = T0;
function at(ms: number): void {
  now = ms;
  setSystemTime(new Date(ms));
}

beforeEach(async () => {
  at(T0);
  server = await startTestServer({ twoFactor: { enabled: true }, rateLimit: { ipBurst: 100, ipPerMinute: 100, accountFreeFailures: 50 } });
});
afterEach(async () => {
  await server.stop();
  setSystemTime();
});

/** A signed-in socket of a new user `ada`. */
async function signedIn(username = 'ada'): Promise<{ ws: TestSocket; userId: number; cookie: string }> {
  const row = await createTestUser(server.db.db, { username, password: PASSWORD });
  const { runtime } = server.statehouse;
  const { token } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: row.id });
  const cookie = `${runtime.config.auth.cookieName}=${token}`;
  return { ws: await server.open({ cookie }), userId: row.id, cookie };
}

/** Turns two-factor on through the canned procedures, as Settings does: the app and the recovery codes. */
async function turnOn(ws: TestSocket): Promise<{ app: TestAuthenticator; codes: string[] }> {
  const setup = await ws.ok('mutation', 'auth.beginTwoFactorSetup');
  const app = new TestAuthenticator(setup.data.setupKey);
  expect(setup.data.uri).toStartWith('otpauth://totp/');
  const enabled = await ws.ok('mutation', 'auth.enableTwoFactor', { code: app.codeAt(now) });
  return { app, codes: enabled.data.recoveryCodes };
}

function login(ws: TestSocket, loginId = 'ada') {
  return ws.call('mutation', 'auth.login', { loginId, password: PASSWORD });
}

/** The audit rows of a type, once `count` of them are written (after their replies). */
async function auditRows(type: string, count: number) {
  let rows: (typeof auditEvents.$inferSelect)[] = [];
  await eventually(async () => {
    rows = await server.db.db.select().from(auditEvents).where(eq(auditEvents.type, type));
    expect(rows).toHaveLength(count);
  });
  return rows;
}

async function sessionsOf(userId: number) {
  return server.db.db.select().from(sessions).where(eq(sessions.userId, userId));
}

/** A user with two-factor on, signed out, and a fresh tab on the login page. */
async function withTwoFactor(): Promise<{ app: TestAuthenticator; codes: string[]; userId: number }> {
  const { ws, userId } = await signedIn();
  const on = await turnOn(ws);
  // The code that turned it on is spent: the next step's code is the first one a sign-in can use.
  at(now + 30_000);
  await ws.close();
  await server.db.db.delete(sessions).where(eq(sessions.userId, userId));
  return { ...on, userId };
}

describe('turning two-factor on', () => {
  test('a code of the new key turns it on and answers 10 recovery codes; the key is sealed at rest', async () => {
    const { ws, userId } = await signedIn();
    expect((await ws.ok('query', 'auth.twoFactorStatus')).data).toEqual({ enabled: false, recoveryCodesLeft: 0, available: true });
    const { app, codes } = await turnOn(ws);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect((await ws.ok('query', 'auth.twoFactorStatus')).data).toEqual({ enabled: true, recoveryCodesLeft: 10, available: true });
    const [row] = await server.db.db.select().from(twoFactorSecrets).where(eq(twoFactorSecrets.userId, userId));
    expect(Buffer.from(row!.secret).includes(Buffer.from(app.key))).toBe(false);
    const stored = await server.db.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    for (const code of codes) for (const r of stored) expect(Buffer.from(r.codeHash).toString()).not.toContain(code.replaceAll('-', ''));
    await ws.close();
  });

  test('a wrong code turns nothing on; setting up again while on is refused', async () => {
    const { ws } = await signedIn();
    await ws.ok('mutation', 'auth.beginTwoFactorSetup');
    const wrong = await ws.call('mutation', 'auth.enableTwoFactor', { code: '000000' });
    expect(wrong.error?.data.statehouse.fieldErrors?.[0]).toMatchObject({ field: 'code' });
    expect((await ws.ok('query', 'auth.twoFactorStatus')).data.enabled).toBe(false);
    await turnOn(ws);
    const again = await ws.call('mutation', 'auth.beginTwoFactorSetup');
    expect(again.error?.data.code).toBe('CONFLICT');
    await ws.close();
  });

  test('the audit log records it, and never a code', async () => {
    const { ws } = await signedIn();
    const { codes } = await turnOn(ws);
    await ws.close();
    const rows = await auditRows('two_factor.enabled', 1);
    const text = JSON.stringify(await server.db.db.select().from(auditEvents));
    expect(rows).toHaveLength(1);
    for (const code of codes) expect(text).not.toContain(code);
  });
});

describe('the second step', () => {
  test('the password creates no session: the tab goes to the two-factor page, ?next= kept', async () => {
    const { userId } = await withTwoFactor();
    const ws = await server.open({ path: '/login', query: '?next=/notes' });
    const reply = await login(ws);
    const envelope = reply.result?.data as any;
    expect(envelope.data).toEqual({ secondStep: true });
    expect(envelope.actions).toEqual([{ type: 'navigate', to: '/two-factor?next=%2Fnotes' }]);
    expect(await sessionsOf(userId)).toHaveLength(0);
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    expect((await ws.ok('query', 'auth.secondStep')).data.pending).toBe(true);
    await ws.close();
  });

  test('a right code signs in: rotation, the cookie ticket, next, and the method password+totp', async () => {
    const { app, userId } = await withTwoFactor();
    const ws = await server.open({ path: '/login', query: '?next=/notes' });
    await login(ws);
    const done = await ws.ok('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now) });
    expect(done.data).toEqual({ username: 'ada' });
    expect(done.actions).toEqual([
      { type: 'syncCookieThenNavigate', ticket: expect.any(String), to: '/notes', session: expect.any(String) },
    ]);
    const [session] = await sessionsOf(userId);
    expect(session?.signInMethod).toBe('password+totp');
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('ada');
    const listed = await ws.ok('query', 'auth.sessions');
    expect(listed.data[0].signInMethod).toBe('password+totp');
    await ws.close();
  });

  test('a wrong code is refused as a field error, and recorded without the code', async () => {
    await withTwoFactor();
    const ws = await server.open();
    await login(ws);
    const wrong = await ws.call('mutation', 'auth.verifySecondFactor', { code: '123456' });
    expect(wrong.error?.data.statehouse.fieldErrors?.[0]).toMatchObject({ field: 'code', code: 'code_incorrect' });
    await ws.close();
    const rows = await auditRows('two_factor.failed', 1);
    expect(JSON.stringify(rows)).not.toContain('123456');
  });

  test('codes of the step before and after pass, two steps away do not', async () => {
    const { app } = await withTwoFactor();
    for (const [offset, ok] of [
      [-60_000, false],
      [60_000, false],
      [-30_000, true],
      [30_000, true],
    ] as const) {
      at(now + 31 * MINUTE); // past every step used before
      const ws = await server.open();
      await login(ws);
      const reply = await ws.call('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now + offset) });
      expect([offset, reply.error === undefined]).toEqual([offset, ok]);
      await ws.close();
      await server.db.db.delete(sessions);
    }
  });

  test('a code is accepted once: a second sign-in with it is refused (replay)', async () => {
    const { app } = await withTwoFactor();
    const code = app.codeAt(now);
    const first = await server.open();
    await login(first);
    await first.ok('mutation', 'auth.verifySecondFactor', { code });
    const second = await server.open();
    await login(second);
    const replay = await second.call('mutation', 'auth.verifySecondFactor', { code });
    expect(replay.error?.data.statehouse.fieldErrors?.[0]?.field).toBe('code');
    // The next step's code works.
    at(now + 30_000);
    await second.ok('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now) });
    await first.close();
    await second.close();
  });

  test('the pending step is bound to its connection: another tab cannot complete it', async () => {
    const { app, userId } = await withTwoFactor();
    const tab = await server.open();
    await login(tab);
    const other = await server.open();
    const stolen = await other.call('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now) });
    expect(stolen.error?.data.code).toBe('PRECONDITION_FAILED');
    expect(stolen.error?.data.statehouse.reason).toBe('SECOND_STEP_EXPIRED');
    expect(await sessionsOf(userId)).toHaveLength(0);
    await tab.ok('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now) });
    await tab.close();
    await other.close();
  });

  test('the pending step expires after 5 minutes', async () => {
    const { app } = await withTwoFactor();
    const ws = await server.open();
    await login(ws);
    at(now + 5 * MINUTE + 1_000);
    const late = await ws.call('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now) });
    expect(late.error?.data.statehouse.reason).toBe('SECOND_STEP_EXPIRED');
    expect((await ws.ok('query', 'auth.secondStep')).data.pending).toBe(false);
    await ws.close();
  });

  test('five wrong codes end the pending step: the right one then needs a new sign-in', async () => {
    const { app } = await withTwoFactor();
    const ws = await server.open();
    await login(ws);
    for (let i = 0; i < 5; i++) {
      const wrong = await ws.call('mutation', 'auth.verifySecondFactor', { code: String(100000 + i) });
      expect(wrong.error?.data.statehouse.fieldErrors?.[0]?.field).toBe('code');
    }
    const after = await ws.call('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now) });
    expect(after.error?.data.statehouse.reason).toBe('SECOND_STEP_EXPIRED');
    await ws.close();
  });

  test('wrong codes count against the account, whatever tab they come from; a right password does not clear them', async () => {
    await server.stop();
    server = await startTestServer({ twoFactor: { enabled: true }, rateLimit: { ipBurst: 100, ipPerMinute: 100, accountFreeFailures: 2 } });
    const { app } = await withTwoFactor();
    const answers: (string | undefined)[] = [];
    for (const code of ['111111', '222222', '333333', app.codeAt(now)]) {
      const ws = await server.open();
      await login(ws);
      const reply = await ws.call('mutation', 'auth.verifySecondFactor', { code });
      answers.push(reply.error?.data.code);
      await ws.close();
    }
    expect(answers).toEqual(['BAD_REQUEST', 'BAD_REQUEST', 'BAD_REQUEST', 'TOO_MANY_REQUESTS']);
  });

  test('a recovery code works once', async () => {
    const { codes, userId } = await withTwoFactor();
    const ws = await server.open();
    await login(ws);
    await ws.ok('mutation', 'auth.verifySecondFactor', { recoveryCode: codes[0]!.toUpperCase() });
    const [session] = await sessionsOf(userId);
    expect(session?.signInMethod).toBe('password+recovery-code');
    const again = await server.open();
    await login(again);
    const reused = await again.call('mutation', 'auth.verifySecondFactor', { recoveryCode: codes[0] });
    expect(reused.error?.data.statehouse.fieldErrors?.[0]).toMatchObject({ field: 'recoveryCode' });
    await again.ok('mutation', 'auth.verifySecondFactor', { recoveryCode: codes[1] });
    expect((await again.ok('query', 'auth.twoFactorStatus')).data.recoveryCodesLeft).toBe(8);
    await ws.close();
    await again.close();
    const used = await auditRows('recovery_code.used', 2);
    expect(JSON.stringify(used)).not.toContain(codes[0]!);
  });
});

/** Redeems a ticket like the browser does. */
function redeem(ticket: string, cookie = '') {
  return fetch(`${server.url}/auth/session`, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', cookie },
    body: JSON.stringify({ ticket }),
  });
}

describe('Trust this device for 30 days', () => {
  test('sets an HttpOnly device cookie through the ticket exchange; that browser then signs in without the code', async () => {
    const { app, userId } = await withTwoFactor();
    const ws = await server.open();
    await login(ws);
    const done = await ws.ok('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now), trustDevice: true });
    const res = await redeem(done.actions[0].ticket);
    const device = res.headers.getSetCookie().find((c) => c.startsWith('statehouse_session_device='))!;
    expect(device).toContain('HttpOnly');
    expect(device).toContain('SameSite=Lax');
    expect(device).toMatch(/Max-Age=2592000/);
    // No frame carried the device token: it is only in the HTTP answer.
    const deviceToken = device.split(';')[0]!.split('=')[1]!;
    expect(JSON.stringify(done)).not.toContain(deviceToken);
    const trusted = await server.open({ cookie: device.split(';')[0]! });
    const reply = await login(trusted);
    expect((reply.result?.data as any).data).toEqual({ username: 'ada' });
    expect((await trusted.ok('query', 'probe.whoami')).data.username).toBe('ada');
    // Another user's sign-in in that browser is not trusted by it.
    await ws.close();
    await trusted.close();
    expect(await server.db.db.select().from(trustedDevices).where(eq(trustedDevices.userId, userId))).toHaveLength(1);
  });

  test('turning two-factor off revokes the trusted devices', async () => {
    const { app, userId } = await withTwoFactor();
    const ws = await server.open();
    await login(ws);
    const done = await ws.ok('mutation', 'auth.verifySecondFactor', { code: app.codeAt(now), trustDevice: true });
    const device = (await redeem(done.actions[0].ticket)).headers.getSetCookie().find((c) => c.startsWith('statehouse_session_device='))!;
    await ws.ok('mutation', 'auth.disableTwoFactor');
    expect(await server.db.db.select().from(trustedDevices).where(eq(trustedDevices.userId, userId))).toHaveLength(0);
    // On again: the old cookie no longer skips the second step.
    at(now + 60_000);
    const { app: app2 } = await turnOn(ws);
    expect(app2.key).not.toEqual(app.key);
    const browser = await server.open({ cookie: device.split(';')[0]! });
    expect(((await login(browser)).result?.data as any).data).toEqual({ secondStep: true });
    await ws.close();
    await browser.close();
  });
});

describe('turning two-factor off and regenerating codes', () => {
  test('need a recent sign-in; turning off ends the other sessions', async () => {
    const { ws, userId, cookie } = await signedIn();
    await turnOn(ws);
    const other = await createSession(server.statehouse.runtime.sessions, server.statehouse.runtime.sessionSettings, { userId });
    at(now + 11 * MINUTE);
    const stale = await ws.call('mutation', 'auth.disableTwoFactor');
    expect(stale.error?.data.statehouse.reason).toBe('REAUTH_REQUIRED');
    expect((stale.error?.data.statehouse.actions ?? []).find((a: any) => a.type === 'confirmIdentity')?.methods).toEqual([
      'password',
      'totp',
    ]);
    const regen = await ws.call('mutation', 'auth.regenerateRecoveryCodes');
    expect(regen.error?.data.statehouse.reason).toBe('REAUTH_REQUIRED');
    await ws.ok('mutation', 'auth.confirmIdentity', { password: PASSWORD });
    const fresh = await ws.ok('mutation', 'auth.regenerateRecoveryCodes');
    expect(fresh.data.recoveryCodes).toHaveLength(10);
    await ws.ok('mutation', 'auth.disableTwoFactor');
    const left = await sessionsOf(userId);
    expect(left.map((s) => s.id)).not.toContain(other.session.id);
    expect(left).toHaveLength(1);
    expect((await ws.ok('query', 'auth.twoFactorStatus')).data.enabled).toBe(false);
    expect(cookie).toBeTruthy();
    await ws.close();
  });
});

describe('Confirm it’s you with an authentication code', () => {
  test('a right code confirms, a used or wrong one does not', async () => {
    const { ws } = await signedIn();
    const { app } = await turnOn(ws);
    at(now + 11 * MINUTE);
    expect((await ws.call('mutation', 'auth.disableTwoFactor')).error?.data.statehouse.reason).toBe('REAUTH_REQUIRED');
    const wrong = await ws.call('mutation', 'auth.confirmIdentity', { code: '000000' });
    expect(wrong.error?.data.statehouse.fieldErrors?.[0]).toMatchObject({ field: 'code' });
    const code = app.codeAt(now);
    await ws.ok('mutation', 'auth.confirmIdentity', { code });
    const replay = await ws.call('mutation', 'auth.confirmIdentity', { code });
    expect(replay.error?.data.statehouse.fieldErrors?.[0]).toMatchObject({ field: 'code' });
    await ws.ok('mutation', 'auth.disableTwoFactor');
    await ws.close();
  });

  test('without two-factor the methods are the password alone', async () => {
    const { ws } = await signedIn();
    at(now + 11 * MINUTE);
    const stale = await ws.call('mutation', 'auth.revokeOtherSessions');
    expect((stale.error?.data.statehouse.actions ?? []).find((a: any) => a.type === 'confirmIdentity')?.methods).toEqual(['password']);
    await ws.close();
  });
});

describe('the twoFactor config', () => {
  test('off: nobody can set it up, and an account that has it signs in with its password alone', async () => {
    await server.stop();
    const database = await createTestDatabase();
    const enabled = await startTestServer({ twoFactor: { enabled: true } }, { database });
    server = enabled;
    const { userId } = await withTwoFactor();
    await enabled.stop();
    server = await startTestServer({ twoFactor: { enabled: false } }, { database });
    const ws = await server.open();
    expect(((await login(ws)).result?.data as any).data).toEqual({ username: 'ada' });
    expect((await sessionsOf(userId))[0]?.signInMethod).toBe('password');
    expect((await ws.ok('query', 'auth.twoFactorStatus')).data.available).toBe(false);
    expect((await ws.call('mutation', 'auth.beginTwoFactorSetup')).error?.data.code).toBe('FORBIDDEN');
    await ws.close();
    await server.stop();
    database.cleanup();
    server = await startTestServer();
  });

  test('production refuses to start without TWO_FACTOR_KEY while two-factor is enabled', () => {
    const production = { NODE_ENV: 'production', MAIL_BACKEND: 'file' };
    expect(() => loadConfig({}, { ...production, TWO_FACTOR_ENABLED: 'true' })).toThrow(/TWO_FACTOR_KEY/);
    expect(() => loadConfig({}, { ...production, TWO_FACTOR_ENABLED: 'true', TWO_FACTOR_KEY: 'short' })).toThrow(/32 bytes/);
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({}, { ...production, TWO_FACTOR_ENABLED: 'true', TWO_FACTOR_KEY: key }).twoFactor.key).toBe(key);
    expect(loadConfig({}, production).twoFactor.enabled).toBe(false);
  });

  test('the sealing key: TWO_FACTOR_KEY when set; else one derived per database, never the same as under a real key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const a = twoFactorKeyOf(loadConfig({ databaseUrl: 'file:a.db' }, {}));
    const b = twoFactorKeyOf(loadConfig({ databaseUrl: 'file:b.db' }, {}));
    const real = twoFactorKeyOf(loadConfig({ databaseUrl: 'file:a.db' }, { TWO_FACTOR_KEY: key }));
    expect(a.equals(b)).toBe(false);
    expect(a.equals(real)).toBe(false);
    expect(real.equals(twoFactorKeyOf(loadConfig({ databaseUrl: 'file:b.db' }, { TWO_FACTOR_KEY: key })))).toBe(true);
  });
});

describe('housekeeping', () => {
  test('deletes expired trusted devices and pending second steps, and only those', async () => {
    const { userId } = await withTwoFactor();
    const db = server.db.db;
    await trustDevice(db, userId, now - 31 * 24 * 60 * MINUTE);
    await trustDevice(db, userId, now);
    await issuePendingSecondStep(db, userId, 'email-link', now - 6 * MINUTE);
    await issuePendingSecondStep(db, userId, 'email-link', now);
    const pass = await server.statehouse.housekeeping.runOnce(now);
    expect(pass).toMatchObject({ ran: true });
    expect(await db.select().from(trustedDevices)).toHaveLength(1);
    expect(await db.select().from(pendingSecondSteps)).toHaveLength(1);
  });
});
