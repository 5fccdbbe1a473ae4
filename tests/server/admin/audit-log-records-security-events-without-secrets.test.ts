import { afterEach, describe, expect, test } from 'bun:test';
import { type AuditEvent, insertAuditEvent, listAuditEvents } from '../../../server/auth/audit';
import { auditEvents } from '../../../db/schema';
import { createLogger } from '../../../server/log';
import { createTestUser } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another long passphrase';

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

async function allRows() {
  await server.statehouse.runtime.background.drain();
  return server.db.db.select().from(auditEvents).orderBy(auditEvents.id);
}

describe('the audit log', () => {
  test('records sign-ins, failures, password changes, revocations and sign-outs with IP, agent and time, and never a secret', async () => {
    const shipped: AuditEvent[] = [];
    server = await startTestServer({ hooks: { onAuditEvent: (event) => void shipped.push(event) } });
    const alice = await createTestUser(server.db.db, { username: 'alice', password: PASSWORD });
    const ws = await server.open({ headers: { 'user-agent': 'AuditTest/1.0' } });
    const before = Date.now();

    expect((await ws.call('mutation', 'auth.login', { loginId: 'alice', password: 'wrong password' })).error?.data.code).toBe(
      'UNAUTHORIZED',
    );
    expect((await ws.call('mutation', 'auth.login', { loginId: 'nobody', password: PASSWORD })).error?.data.code).toBe('UNAUTHORIZED');
    const login = await ws.ok('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    const ticket: string = login.actions[0].ticket;
    await ws.ok('mutation', 'auth.changePassword', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    await ws.ok('mutation', 'auth.revokeOtherSessions');
    await ws.ok('mutation', 'auth.logout');

    const rows = await allRows();
    expect(rows.map((r) => r.type)).toEqual(['login.failed', 'login.failed', 'login.succeeded', 'password.changed', 'logout']);
    const [wrongPassword, unknownUser, succeeded] = rows;
    // A known account's failures show in its owner's activity; an unknown login id is kept nowhere.
    expect(wrongPassword).toMatchObject({ actorId: null, targetUserId: alice.id, targetName: 'alice' });
    expect(unknownUser).toMatchObject({ actorId: null, targetUserId: null, targetName: '', detail: '{}' });
    expect(succeeded).toMatchObject({ actorId: alice.id, targetUserId: alice.id, userAgent: 'AuditTest/1.0', via: 'socket' });
    expect(succeeded!.ip).not.toBe('');
    expect(succeeded!.at).toBeGreaterThanOrEqual(before);

    const text = JSON.stringify(rows);
    for (const secret of [PASSWORD, NEW_PASSWORD, 'wrong password', 'nobody', ticket]) expect(text).not.toContain(secret);
    expect(shipped.map((e) => e.type as string)).toEqual(rows.map((r) => r.type));
    await ws.close();
  });

  test('admin actions name their actor and target; detail drops secret-looking keys', async () => {
    server = await startTestServer();
    const root = await server.userWithSession('root', { staff: true, superuser: true });
    const bob = await server.userWithSession('bob');
    const ws = await server.open({ cookie: root.cookie });
    await ws.ok('mutation', 'admin.users.setPermissions', { id: bob.userId, permissions: ['notes.delete_note'] });
    await ws.ok('mutation', 'admin.users.setActive', { id: bob.userId, active: false });
    const rows = await allRows();
    expect(rows.map((r) => [r.type, r.actorName, r.targetName])).toEqual([
      ['admin.permissions_changed', 'root', 'bob'],
      ['session.revoked', 'root', 'bob'],
      ['admin.user_deactivated', 'root', 'bob'],
    ]);
    expect(JSON.parse(rows[0]!.detail)).toEqual({ permissions: ['notes.delete_note'] });
    expect(JSON.stringify(rows)).not.toContain(bob.token.split('.')[1]!);
    const written = await insertAuditEvent(server.db.db, {
      type: 'two_factor.enabled',
      actor: { id: bob.userId, username: 'bob' },
      detail: { password: 'p', token: 't', recoveryCodes: ['a'], secretKey: 'k', method: 'totp' },
    });
    expect(written.detail).toEqual({ method: 'totp' });

    const page = await ws.ok('query', 'admin.audit', { types: ['admin.user_deactivated'] });
    expect(page.data.total).toBe(1);
    expect((await ws.ok('query', 'admin.audit', { name: 'bo', pageSize: 2 })).data.rows).toHaveLength(2);
    await ws.close();
  });

  test("Settings' recent activity shows the user's own events only", async () => {
    server = await startTestServer();
    const root = await server.userWithSession('root', { staff: true, superuser: true });
    const bob = await server.userWithSession('bob');
    const rootWs = await server.open({ cookie: root.cookie });
    await rootWs.ok('mutation', 'admin.users.update', { id: bob.userId, firstName: 'Bob', lastName: '', email: 'bob@example.com' });
    await server.statehouse.runtime.background.drain();
    const bobWs = await server.open({ cookie: bob.cookie });
    const mine = (await bobWs.ok('query', 'auth.securityActivity')).data;
    expect(mine.map((e: any) => [e.type, e.byAdmin])).toEqual([
      ['email.changed', true],
      ['admin.user_updated', true],
    ]);
    expect(JSON.stringify(mine)).not.toContain('root');
    expect((await rootWs.ok('query', 'auth.securityActivity')).data).toEqual([]);
    await rootWs.close();
    await bobWs.close();
  });

  test('a sign-out over HTTP is recorded with the account named and via http', async () => {
    server = await startTestServer();
    const carol = await server.userWithSession('carol');
    const res = await fetch(`${server.url}/auth/logout`, {
      method: 'POST',
      headers: { origin: server.url, 'sec-fetch-site': 'same-origin', cookie: carol.cookie, 'user-agent': 'Curl/8' },
    });
    expect(res.status).toBe(204);
    const rows = await allRows();
    expect(rows.map((r) => [r.type, r.actorName, r.targetName, r.via, r.userAgent])).toEqual([
      ['logout', 'carol', 'carol', 'http', 'Curl/8'],
    ]);
    expect(JSON.stringify(rows)).not.toContain(carol.token);
  });

  test('a failing onAuditEvent is logged and the event stays recorded; the reply never waits for it', async () => {
    const logged: string[] = [];
    const log = createLogger('error', (line) => void logged.push(line));
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    server = await startTestServer(
      {
        hooks: {
          onAuditEvent: async () => {
            await held;
            throw new Error('the SIEM is down');
          },
        },
      },
      { log },
    );
    const root = await server.userWithSession('root', { staff: true, superuser: true });
    const bob = await server.userWithSession('bob');
    const ws = await server.open({ cookie: root.cookie });
    // Answered while the hook is still held: the audit work runs after the reply.
    await ws.ok('mutation', 'admin.users.signOutEverywhere', { id: bob.userId });
    release();
    const rows = await allRows();
    expect(rows.map((r) => r.type)).toEqual(['session.revoked', 'admin.signed_out_everywhere']);
    expect(logged.join('\n')).toContain('onAuditEvent failed');
    await ws.close();
  });

  test('housekeeping deletes events past audit.retentionDays, and only those', async () => {
    server = await startTestServer({ audit: { retentionDays: 30 } });
    const now = Date.now();
    const day = 86_400_000;
    await insertAuditEvent(server.db.db, { type: 'logout' }, now - 31 * day);
    await insertAuditEvent(server.db.db, { type: 'login.succeeded' }, now - 29 * day);
    const pass = await server.statehouse.housekeeping.runOnce(now);
    expect(pass).toMatchObject({ ran: true, deleted: { auditEvents: 1 } });
    const left = await listAuditEvents(server.db.db, { limit: 10 });
    expect(left.rows.map((r) => r.type)).toEqual(['login.succeeded']);
  });
});
