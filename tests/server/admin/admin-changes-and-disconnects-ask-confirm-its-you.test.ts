import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditEvents, users } from '../../../db/schema';
import { createSession } from '../../../server/auth/session';
import { grantUserPermission } from '../../../server/auth/users';
import { createTestUser } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { TestSocket } from '../../helpers/socket-client';
import { eventually } from '../../helpers/wait-for';

const PASSWORD = 'a long enough passphrase';
const MINUTE = 60_000;

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ rateLimit: { ipBurst: 100 } });
});
afterEach(async () => {
  await server.stop();
});

/** A staff admin allowed to change users, on a session that signed in `ageMs` ago. */
async function admin(ageMs: number): Promise<{ ws: TestSocket; userId: number }> {
  const row = await createTestUser(server.db.db, { username: 'root', password: PASSWORD, isStaff: true });
  await grantUserPermission(server.db.db, row.id, 'auth.change_user');
  const { runtime } = server.statehouse;
  const { token } = await createSession(runtime.sessions, runtime.sessionSettings, { userId: row.id }, Date.now() - ageMs);
  return { ws: await server.open({ cookie: `${runtime.config.auth.cookieName}=${token}` }), userId: row.id };
}

describe("Confirm it's you before admin changes and disconnects", () => {
  test('an admin change past the window answers REAUTH_REQUIRED and changes nothing; after confirming it passes, and both steps are audited', async () => {
    const { ws, userId } = await admin(11 * MINUTE);
    const bob = await createTestUser(server.db.db, { username: 'bob' });
    const refused = await ws.call('mutation', 'admin.users.setActive', { id: bob.id, active: false });
    expect(refused.error?.data.statehouse.reason).toBe('REAUTH_REQUIRED');
    expect(refused.error?.data.statehouse.actions).toEqual([{ type: 'confirmIdentity', methods: ['password'] }]);
    expect((await server.db.db.select().from(users).where(eq(users.id, bob.id)))[0]?.isActive).toBe(true);

    expect((await ws.call('mutation', 'auth.confirmIdentity', { password: 'not it' })).error?.data.code).toBe('BAD_REQUEST');
    await ws.ok('mutation', 'auth.confirmIdentity', { password: PASSWORD });
    await ws.ok('mutation', 'admin.users.setActive', { id: bob.id, active: false });
    expect((await server.db.db.select().from(users).where(eq(users.id, bob.id)))[0]?.isActive).toBe(false);
    await eventually(async () => {
      const types = (await server.db.db.select().from(auditEvents).where(eq(auditEvents.actorId, userId))).map((e) => e.type);
      expect(types).toEqual(['reauth.failed', 'reauth.succeeded', 'admin.user_deactivated']);
    });
    await ws.close();
  });

  test('disconnecting a provider account past the window answers REAUTH_REQUIRED', async () => {
    const { ws } = await admin(11 * MINUTE);
    const reply = await ws.call('mutation', 'auth.disconnectAccount', { id: 1 });
    expect(reply.error?.data.statehouse.reason).toBe('REAUTH_REQUIRED');
    await ws.close();
  });
});
