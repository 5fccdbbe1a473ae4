import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { sessions } from '../../../db/schema';
import { issuePasswordResetToken } from '../../../server/auth/password-reset';
import { twoFactorEnabled } from '../../../server/auth/two-factor';
import { createTestUser } from '../../helpers/db';
import { startTestServer, type TestServer } from '../../helpers/server';
import { turnOnTwoFactorFor } from '../../helpers/two-factor';

/**
 * Ways around two-factor a reviewer would try: a password reset (a mailbox
 * is not a second factor), two answers racing on one tab, and a staff admin
 * stripping a superuser's factor.
 */
let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ twoFactor: { enabled: true }, rateLimit: { ipBurst: 100, ipPerMinute: 100 } });
});
afterEach(async () => {
  await server.stop();
});

const NEW_PASSWORD = 'a brand new passphrase';

describe('a password reset', () => {
  test('sets the password but signs in only after the second step', async () => {
    const ada = await server.userWithSession('ada');
    const { app } = await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, ada.userId);
    const token = await issuePasswordResetToken(server.db.db, ada.userId, 60 * 60_000);
    const ws = await server.open({ path: `/password-reset/${token}` });
    const reply = await ws.call('mutation', 'auth.confirmPasswordReset', {
      token,
      newPassword: NEW_PASSWORD,
      confirmPassword: NEW_PASSWORD,
    });
    const envelope = reply.result?.data as { data: unknown; actions: unknown[] };
    expect(envelope.data).toEqual({ secondStep: true });
    expect(envelope.actions).toEqual([{ type: 'navigate', to: '/two-factor' }]);
    // Every earlier session ended, none made; the tab is still anonymous.
    expect(await server.db.db.select().from(sessions).where(eq(sessions.userId, ada.userId))).toHaveLength(0);
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    // The second step completes it; the new password was set.
    const done = await ws.ok('mutation', 'auth.verifySecondFactor', { code: app.codeAt(Date.now()) });
    expect(done.data).toEqual({ username: 'ada' });
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('ada');
    await ws.close();
    const fresh = await server.open({ path: '/login' });
    expect((await fresh.ok('mutation', 'auth.login', { loginId: 'ada', password: NEW_PASSWORD })).data).toEqual({ secondStep: true });
    await fresh.close();
  });

  test('without two-factor still signs the tab in at once', async () => {
    const bob = await server.userWithSession('bob');
    const token = await issuePasswordResetToken(server.db.db, bob.userId, 60 * 60_000);
    const ws = await server.open({ path: `/password-reset/${token}` });
    const done = await ws.ok('mutation', 'auth.confirmPasswordReset', { token, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(done.data).toEqual({ username: 'bob' });
    expect((await ws.ok('query', 'probe.whoami')).data.username).toBe('bob');
    await ws.close();
  });
});

describe('a pending second step', () => {
  test('two right answers racing on one tab make one session', async () => {
    const ada = await createTestUser(server.db.db, { username: 'ada', password: NEW_PASSWORD });
    const { codes } = await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, ada.id);
    const ws = await server.open({ path: '/login' });
    expect((await ws.ok('mutation', 'auth.login', { loginId: 'ada', password: NEW_PASSWORD })).data).toEqual({ secondStep: true });
    const replies = await Promise.all([
      ws.call('mutation', 'auth.verifySecondFactor', { recoveryCode: codes[0]! }),
      ws.call('mutation', 'auth.verifySecondFactor', { recoveryCode: codes[1]! }),
    ]);
    expect(replies.filter((r) => r.error === undefined)).toHaveLength(1);
    expect(replies.find((r) => r.error)?.error?.data.statehouse.reason).toBe('SECOND_STEP_EXPIRED');
    expect(await server.db.db.select().from(sessions).where(eq(sessions.userId, ada.id))).toHaveLength(1);
    await ws.close();
  });
});

describe('a staff admin and a superuser account', () => {
  test('may not reset its two-factor, sign it out, mail it a reset or delete it; a superuser may', async () => {
    const root = await server.userWithSession('root', { superuser: true, staff: true });
    await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, root.userId);
    const staff = await server.userWithSession('helpdesk', {
      staff: true,
      perms: ['auth.view_user', 'auth.change_user', 'auth.delete_user'],
    });
    const desk = await server.open({ cookie: staff.cookie, path: '/admin' });
    for (const [path, input] of [
      ['admin.users.resetTwoFactor', { id: root.userId }],
      ['admin.users.signOutEverywhere', { id: root.userId }],
      ['admin.users.sendPasswordReset', { id: root.userId }],
      ['admin.users.setActive', { id: root.userId, active: false }],
      ['admin.users.delete', { id: root.userId }],
    ] as const) {
      const refused = await desk.call('mutation', path, input);
      expect([path, refused.error?.data.code]).toEqual([path, 'FORBIDDEN']);
    }
    expect(await twoFactorEnabled(server.db.db, root.userId)).toBe(true);
    const other = await server.userWithSession('root2', { superuser: true, staff: true });
    const admin = await server.open({ cookie: other.cookie, path: '/admin' });
    await admin.ok('mutation', 'admin.users.resetTwoFactor', { id: root.userId });
    expect(await twoFactorEnabled(server.db.db, root.userId)).toBe(false);
    await Promise.all([desk.close(), admin.close()]);
  });
});
