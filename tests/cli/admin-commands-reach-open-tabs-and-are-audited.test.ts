import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { resolve } from 'node:path';
import { auditEvents } from '../../db/schema';
import { createPusher } from '../../server/bus/pusher';
import {
  type CommandContext,
  listPermsCommand,
  removeFromGroupCommand,
  revokeCommand,
  setActiveCommand,
  setFlagCommand,
  signOutCommand,
} from '../../server/cli/commands';
import { identityEventOf } from '../../server/cli/manage';
import { ensureGroup, findUserByUsername, grantGroupPermission } from '../../server/auth/users';
import { FRAMEWORK_SLICES } from '../../server/state/admin-slices';
import { HAVE_REDIS, startRedis } from '../helpers/redis';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
let lines: string[];
let ctx: CommandContext;

beforeEach(async () => {
  server = await startTestServer();
  lines = [];
  const { runtime } = server.statehouse;
  // The command line as it runs with BUS_URL: its changes on the bus the server listens to.
  ctx = {
    db: server.db.db,
    sessions: runtime.sessions,
    config: runtime.config,
    io: { interactive: false, out: (line) => lines.push(line), prompt: async () => null },
    notify: (change) => runtime.bus.publish(identityEventOf(change)),
    pusher: createPusher({ bus: runtime.bus, slices: FRAMEWORK_SLICES }),
  };
});
afterEach(async () => {
  await server.stop();
});

async function auditTypes(): Promise<string[][]> {
  const rows = await server.db.db.select().from(auditEvents).orderBy(auditEvents.id);
  return rows.map((r) => [r.type, r.targetName, r.via, r.actorId === null ? 'no actor' : 'actor']);
}

describe('admin commands', () => {
  test("deactivate signs out the user's open tab at once; activate lets them back; both are audited", async () => {
    const bob = await server.userWithSession('bob');
    const tab = await server.open({ cookie: bob.cookie });
    await tab.subscribeState();
    expect(await setActiveCommand(ctx, { username: 'bob', active: false })).toEqual({ ok: true });
    await tab.waitForPushes(2);
    expect(tab.pushes.some((p) => p.actions?.some((a: any) => a.type === 'clearAuthThenNavigate'))).toBe(true);
    expect((await findUserByUsername(server.db.db, 'bob'))?.isActive).toBe(false);
    expect(await setActiveCommand(ctx, { username: 'bob', active: true })).toEqual({ ok: true });
    expect(lines).toEqual(['"bob" is now inactive; 1 session(s) signed out.', '"bob" is now active.']);
    expect(await auditTypes()).toEqual([
      ['admin.user_deactivated', 'bob', 'cli', 'no actor'],
      ['admin.user_activated', 'bob', 'cli', 'no actor'],
    ]);
    await tab.close();
  });

  test('signout ends every session and signs out each open tab', async () => {
    const one = await server.userWithSession('carol');
    const tab = await server.open({ cookie: one.cookie });
    await tab.subscribeState();
    expect(await signOutCommand(ctx, { username: 'carol' })).toEqual({ ok: true });
    await tab.waitForPushes(2);
    expect(tab.pushes.at(-1).actions.map((a: any) => a.type)).toContain('clearAuthThenNavigate');
    expect(lines).toEqual(['Signed out "carol": 1 session(s) ended.']);
    expect((await auditTypes())[0]).toEqual(['admin.signed_out_everywhere', 'carol', 'cli', 'no actor']);
    await tab.close();
  });

  test("setstaff and setsuperuser change the flags, refresh the user's tabs and tell open admin pages", async () => {
    const root = await server.userWithSession('root', { staff: true, superuser: true });
    const adminTab = await server.open({ cookie: root.cookie });
    await adminTab.subscribeState();
    await server.userWithSession('dave');
    expect(await setFlagCommand(ctx, { username: 'dave', flag: 'isSuperuser', value: true })).toEqual({ ok: true });
    expect(await findUserByUsername(server.db.db, 'dave')).toMatchObject({ isStaff: true, isSuperuser: true });
    await adminTab.waitForPushes(2);
    expect(adminTab.pushes.at(-1).delta.admin.revision).toBeGreaterThan(0);
    expect(await setFlagCommand(ctx, { username: 'dave', flag: 'isSuperuser', value: false })).toEqual({ ok: true });
    expect(await setFlagCommand(ctx, { username: 'dave', flag: 'isStaff', value: false })).toEqual({ ok: true });
    expect(await findUserByUsername(server.db.db, 'dave')).toMatchObject({ isStaff: false, isSuperuser: false });
    expect((await auditTypes()).map((r) => r[0])).toEqual(['admin.superuser_changed', 'admin.superuser_changed', 'admin.staff_changed']);
    await adminTab.close();
  });

  test('removegroup, revokeperm and listperms', async () => {
    const erin = await server.userWithSession('erin', { perms: ['notes.delete_note'], groups: ['editors'] });
    await grantGroupPermission(server.db.db, await ensureGroup(server.db.db, 'editors'), 'notes.edit_note');
    const tab = await server.open({ cookie: erin.cookie });
    await tab.subscribeState();
    expect(await listPermsCommand(ctx, { username: 'erin' })).toEqual({ ok: true });
    expect(lines.splice(0)).toEqual([
      'Direct: notes.delete_note',
      'Group "editors": notes.edit_note',
      'Effective: notes.delete_note, notes.edit_note',
    ]);
    expect(await removeFromGroupCommand(ctx, { username: 'erin', group: 'editors' })).toEqual({ ok: true });
    await tab.waitForPushes(2);
    expect(tab.pushes.at(-1).delta.access).toEqual({ revision: 1 });
    expect(await revokeCommand(ctx, { username: 'erin', perm: 'notes.delete_note' })).toEqual({ ok: true });
    await listPermsCommand(ctx, { username: 'erin' });
    expect(lines.slice(-2)).toEqual(['Direct: (none)', 'Effective: (none)']);
    expect((await auditTypes()).map((r) => r[0])).toEqual(['admin.groups_changed', 'admin.permissions_changed']);
    expect(await removeFromGroupCommand(ctx, { username: 'erin', group: 'nope' })).toEqual({
      ok: false,
      code: 1,
      message: 'unknown group "nope"',
    });
    await tab.close();
  });
});

describe.skipIf(!HAVE_REDIS)('bun run manage with BUS_URL', () => {
  test("`manage deactivate` in its own process signs out the user's tab on a server and tells an open admin page, over Redis", async () => {
    await server.stop();
    const redis = await startRedis();
    try {
      server = await startTestServer({ busUrl: redis.url });
      const bob = await server.userWithSession('bob');
      const root = await server.userWithSession('root', { staff: true, superuser: true });
      const tab = await server.open({ cookie: bob.cookie });
      const adminTab = await server.open({ cookie: root.cookie });
      await tab.subscribeState();
      await adminTab.subscribeState();
      const proc = Bun.spawn(['bun', 'server/cli/manage.ts', 'deactivate', 'bob'], {
        cwd: resolve(import.meta.dir, '../..'),
        env: { ...process.env, DATABASE_URL: `file:${server.db.path}`, BUS_URL: redis.url },
        stdin: 'ignore',
        stdout: 'pipe',
        stderr: 'pipe',
      });
      const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      expect({ code, err }).toEqual({ code: 0, err: '' });
      expect(out).toContain('"bob" is now inactive; 1 session(s) signed out.');
      await tab.waitForPushes(2, 5_000);
      expect(tab.pushes.some((p) => p.actions?.some((a: any) => a.type === 'clearAuthThenNavigate'))).toBe(true);
      await adminTab.waitForPushes(2, 5_000);
      expect(adminTab.pushes.some((p) => p.delta?.admin?.revision > 0)).toBe(true);
      expect((await auditTypes())[0]).toEqual(['admin.user_deactivated', 'bob', 'cli', 'no actor']);
      await tab.close();
      await adminTab.close();
    } finally {
      await server.stop();
      await redis.stop();
      server = await startTestServer();
    }
  }, 30_000);
});
