import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { auditEvents, recoveryCodes, sessions, twoFactorSecrets } from '../../../db/schema';
import { twoFactorEnabled } from '../../../server/auth/two-factor';
import { type CommandContext, resetTwoFactorCommand } from '../../../server/cli/commands';
import { identityEventOf } from '../../../server/cli/manage';
import { startTestServer, type TestServer } from '../../helpers/server';
import { turnOnTwoFactorFor } from '../../helpers/two-factor';
import { eventually } from '../../helpers/wait-for';

/** A user who lost their authenticator app: an admin (or the command line) turns two-factor off. */
let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({ twoFactor: { enabled: true } });
});
afterEach(async () => {
  await server.stop();
});

async function auditOf(type: string) {
  return server.db.db.select().from(auditEvents).where(eq(auditEvents.type, type));
}

describe('Reset two-factor in the admin console', () => {
  test('needs auth.change_user; resets, audits, and moves the user’s open tabs', async () => {
    const bob = await server.userWithSession('bob');
    await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, bob.userId);
    const staff = await server.userWithSession('viewer', { staff: true, perms: ['auth.view_user'] });
    const viewer = await server.open({ cookie: staff.cookie, path: '/admin' });
    expect((await viewer.ok('query', 'admin.users.get', { id: bob.userId })).data.twoFactor).toBe(true);
    const refused = await viewer.call('mutation', 'admin.users.resetTwoFactor', { id: bob.userId });
    expect(refused.error?.data.code).toBe('FORBIDDEN');

    const bobTab = await server.open({ cookie: bob.cookie });
    await bobTab.subscribeState();
    const root = await server.userWithSession('root', { superuser: true, staff: true });
    const admin = await server.open({ cookie: root.cookie, path: '/admin' });
    await admin.ok('mutation', 'admin.users.resetTwoFactor', { id: bob.userId });
    expect(await twoFactorEnabled(server.db.db, bob.userId)).toBe(false);
    expect(await server.db.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, bob.userId))).toHaveLength(0);
    expect((await admin.ok('query', 'admin.users.get', { id: bob.userId })).data.twoFactor).toBe(false);
    // Bob's tab hears of it: its `access` revision moves, and Settings reads the state again.
    await eventually(() => expect(bobTab.pushes.some((p) => p.delta?.access?.revision >= 1)).toBe(true));
    await eventually(async () => expect(await auditOf('admin.two_factor_reset')).toHaveLength(1));
    const [row] = await auditOf('admin.two_factor_reset');
    expect([row?.actorName, row?.targetName]).toEqual(['root', 'bob']);
    // Nothing left to reset.
    const again = await admin.call('mutation', 'admin.users.resetTwoFactor', { id: bob.userId });
    expect(again.error?.data.code).toBe('BAD_REQUEST');
    await Promise.all([viewer.close(), bobTab.close(), admin.close()]);
  });

  test('asks the admin to confirm it’s them past the re-authentication window', async () => {
    const bob = await server.userWithSession('bob');
    await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, bob.userId);
    const root = await server.userWithSession('root', { superuser: true, staff: true });
    await server.db.db.update(sessions).set({ authenticatedAt: Date.now() - 11 * 60_000 });
    const admin = await server.open({ cookie: root.cookie, path: '/admin' });
    const stale = await admin.call('mutation', 'admin.users.resetTwoFactor', { id: bob.userId });
    expect(stale.error?.data.statehouse.reason).toBe('REAUTH_REQUIRED');
    expect(await twoFactorEnabled(server.db.db, bob.userId)).toBe(true);
    await admin.close();
  });
});

describe('bun run manage reset2fa', () => {
  function commandContext(lines: string[]): CommandContext {
    const { runtime } = server.statehouse;
    return {
      db: server.db.db,
      sessions: runtime.sessions,
      config: runtime.config,
      io: { interactive: false, out: (line) => lines.push(line), prompt: async () => null },
      notify: (change) => runtime.bus.publish(identityEventOf(change)),
    };
  }

  test('turns two-factor off, says so, is audited from the command line', async () => {
    const bob = await server.userWithSession('bob');
    await turnOnTwoFactorFor(server.db.db, server.statehouse.runtime.config, bob.userId);
    const lines: string[] = [];
    expect(await resetTwoFactorCommand(commandContext(lines), { username: 'bob' })).toEqual({ ok: true });
    expect(lines).toEqual(['Reset two-factor authentication of "bob": they sign in with their password until they set it up again.']);
    expect(await server.db.db.select().from(twoFactorSecrets)).toHaveLength(0);
    const [row] = await auditOf('admin.two_factor_reset');
    expect([row?.via, row?.actorId, row?.targetName]).toEqual(['cli', null, 'bob']);
  });

  test('an unknown user, or one without two-factor, is a failure', async () => {
    await server.userWithSession('bob');
    const ctx = commandContext([]);
    expect(await resetTwoFactorCommand(ctx, { username: 'nobody' })).toMatchObject({ ok: false, code: 1 });
    expect(await resetTwoFactorCommand(ctx, { username: 'bob' })).toEqual({
      ok: false,
      code: 1,
      message: '"bob" has no two-factor authentication',
    });
    expect(await auditOf('admin.two_factor_reset')).toHaveLength(0);
  });
});
