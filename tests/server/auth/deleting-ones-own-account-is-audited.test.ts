import { afterEach, describe, expect, test } from 'bun:test';
import { auditEvents } from '../../../db/schema';
import { AUDIT_EVENT_LABELS, AUDIT_EVENT_LABELS_AR } from '../../../client/admin/audit-labels';
import { AUDIT_EVENT_TYPES, listAuditEvents } from '../../../server/auth/audit';
import { findUserById } from '../../../server/auth/users';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

async function rows() {
  await server.statehouse.runtime.background.drain();
  return server.db.db.select().from(auditEvents).orderBy(auditEvents.id);
}

describe("a user's own Delete account", () => {
  test('is audited as account.deleted with the user as actor and target, and the row outlives the user', async () => {
    server = await startTestServer();
    const ada = await server.userWithSession('ada');
    const ws = await server.open({ cookie: ada.cookie, headers: { 'user-agent': 'DeleteTest/1.0' } });
    await ws.ok('mutation', 'auth.deleteAccount');
    expect(await findUserById(server.db.db, ada.userId)).toBeNull();

    const recorded = await rows();
    expect(recorded.map((r) => r.type)).toEqual(['account.deleted']);
    expect(recorded[0]).toMatchObject({
      actorId: ada.userId,
      actorName: 'ada',
      targetUserId: ada.userId,
      targetName: 'ada',
      userAgent: 'DeleteTest/1.0',
      via: 'socket',
      detail: '{}',
    });
    expect(recorded[0]!.ip).not.toBe('');
    // An admin finds it by the deleted user's id and name.
    const byId = await listAuditEvents(server.db.db, { userId: ada.userId, limit: 10 });
    const byName = await listAuditEvents(server.db.db, { name: 'ada', types: ['account.deleted'], limit: 10 });
    expect([byId.total, byName.total]).toEqual([1, 1]);
    expect(JSON.stringify(recorded)).not.toContain(ada.token);
    await ws.close();
  });

  test('a deletion the app refuses (onDeleteUser throws) records nothing', async () => {
    server = await startTestServer({
      hooks: {
        onDeleteUser: () => {
          throw new Error('the app refuses');
        },
      },
    });
    const ada = await server.userWithSession('ada');
    const ws = await server.open({ cookie: ada.cookie });
    expect((await ws.call('mutation', 'auth.deleteAccount')).error?.data.code).toBe('INTERNAL_SERVER_ERROR');
    expect(await findUserById(server.db.db, ada.userId)).not.toBeNull();
    expect(await rows()).toEqual([]);
    await ws.close();
  });
});

describe('the audit labels', () => {
  test('name every event type in English and in Arabic', () => {
    for (const labels of [AUDIT_EVENT_LABELS, AUDIT_EVENT_LABELS_AR]) {
      expect(AUDIT_EVENT_TYPES.filter((type) => !labels[type])).toEqual([]);
    }
    expect([AUDIT_EVENT_LABELS['account.deleted'], AUDIT_EVENT_LABELS_AR['account.deleted']]).toEqual(['Account deleted', 'حذف الحساب']);
  });
});
