import { afterEach, describe, expect, test } from 'bun:test';
import { insertAuditEvent } from '../../../server/auth/audit';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1);

describe('admin.audit', () => {
  test('filters by exact IP and by a time range (since included, before excluded), with the other filters', async () => {
    server = await startTestServer();
    const root = await server.userWithSession('root', { staff: true, superuser: true });
    const bob = { id: (await server.userWithSession('bob')).userId, username: 'bob' };
    const db = server.db.db;
    await insertAuditEvent(db, { type: 'login.succeeded', actor: bob, ip: '203.0.113.7' }, T0);
    await insertAuditEvent(db, { type: 'login.failed', target: bob, ip: '203.0.113.7' }, T0 + DAY);
    await insertAuditEvent(db, { type: 'login.succeeded', actor: bob, ip: '203.0.113.70' }, T0 + DAY);
    await insertAuditEvent(db, { type: 'logout', actor: bob, ip: '198.51.100.1' }, T0 + 2 * DAY);
    const ws = await server.open({ cookie: root.cookie });
    const at = async (input: object) =>
      ((await ws.ok('query', 'admin.audit', input)).data.rows as { at: number; ip: string; type: string }[]).map(
        (r) => `${r.type}@${r.ip}+${(r.at - T0) / DAY}`,
      );

    // An IP matches exactly: 203.0.113.7 is not 203.0.113.70.
    expect(await at({ ip: '203.0.113.7' })).toEqual(['login.failed@203.0.113.7+1', 'login.succeeded@203.0.113.7+0']);
    expect(await at({ ip: ' 198.51.100.1 ' })).toEqual(['logout@198.51.100.1+2']);
    // One day: from its first millisecond up to, not including, the next day's.
    expect(await at({ since: T0 + DAY, before: T0 + 2 * DAY })).toEqual(['login.succeeded@203.0.113.70+1', 'login.failed@203.0.113.7+1']);
    expect(await at({ since: T0 + 2 * DAY })).toEqual(['logout@198.51.100.1+2']);
    expect(await at({ before: T0 + 1 })).toEqual(['login.succeeded@203.0.113.7+0']);
    // Together with type and name, and counted for the pager.
    const page = await ws.ok('query', 'admin.audit', { ip: '203.0.113.7', since: T0 + DAY, types: ['login.failed'], name: 'bo' });
    expect([page.data.total, page.data.rows[0].targetName]).toEqual([1, 'bob']);
    expect(await at({ since: T0 + 3 * DAY, before: T0 })).toEqual([]);
    await ws.close();
  });

  test('bad IP or time input is a typed BAD_REQUEST and the connection keeps working', async () => {
    server = await startTestServer();
    const root = await server.userWithSession('root', { staff: true, superuser: true });
    const ws = await server.open({ cookie: root.cookie });
    for (const input of [{ ip: 'x'.repeat(65) }, { since: -1 }, { before: 1.5 }, { since: 'yesterday' }, { ip: 7 }]) {
      expect((await ws.call('query', 'admin.audit', input)).error?.data.code).toBe('BAD_REQUEST');
    }
    expect((await ws.ok('query', 'admin.audit', {})).data.total).toBe(0);
    await ws.close();
  });

  test('the IP filter reads an index, not the whole log', async () => {
    server = await startTestServer();
    const plan = await server.db.db.$client.execute(
      "EXPLAIN QUERY PLAN SELECT * FROM audit_events WHERE ip = '203.0.113.7' ORDER BY at DESC, id DESC LIMIT 50",
    );
    const steps = plan.rows.map((row) => String(row.detail));
    expect(steps.some((step) => step.includes('USING INDEX audit_events_ip_idx'))).toBe(true);
    expect(steps.some((step) => /^SCAN audit_events\b(?! USING)/.test(step))).toBe(false);
  });
});
