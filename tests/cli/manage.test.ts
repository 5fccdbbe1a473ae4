import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { resolve } from 'node:path';
import { authTokens, sessions, users } from '../../db/schema';
import { verifyPassword } from '../../server/auth/password';
import { loadGrants } from '../../server/auth/permissions';
import { checkPasswordResetToken, issuePasswordResetToken } from '../../server/auth/password-reset';
import { createLibsqlSessionBackend } from '../../server/auth/libsql-session-backend';
import { createRedisSessionBackend } from '../../server/auth/redis-session-backend';
import { createSession, listUserSessions } from '../../server/auth/session';
import { issueCookieTicket, redeemCookieTicket } from '../../server/auth/tickets';
import { findUserByUsername } from '../../server/auth/users';
import {
  addToGroupCommand,
  changePasswordCommand,
  grantCommand,
  grantGroupCommand,
  revokeCommand,
  toastCommand,
  type CommandContext,
  type IdentityChange,
} from '../../server/cli/commands';
import { DAY, HOUR, loadConfig } from '../../server/config';
import type { BusEvent } from '../../server/bus/identity-bus';
import { createMemoryBus } from '../../server/bus/memory-bus';
import { createPusher } from '../../server/bus/pusher';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { HAVE_REDIS, startRedis } from '../helpers/redis';

const ROOT = resolve(import.meta.dir, '../..');
const SETTINGS = { inactivityTimeoutMs: 14 * DAY, renewalIntervalMs: HOUR, absoluteLifetimeMs: 30 * DAY };

/** Subprocesses hash passwords at the real cost: allow them time. */
const SLOW = 20_000;

const GOOD_PASSWORD = 'violet tangerine orbit';
const OTHER_PASSWORD = 'marble lantern cascade';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let t: TestDatabase;
/** Everything any command printed in this test, to prove no secret leaked. */
let printed: string;

beforeEach(async () => {
  t = await createTestDatabase();
  printed = '';
});

afterEach(() => t.cleanup());

/** Runs a script in a subprocess against the test database, stdin not a terminal. */
async function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const proc = Bun.spawn(['bun', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${t.path}`, ...env },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  printed += stdout + stderr;
  return { code, stdout, stderr };
}

const manage = (...args: string[]): Promise<Run> => runScript('server/cli/manage.ts', args);

/** Expects a failure: the exit code, and one line on stderr containing `fragment`. */
function expectError(run: Run, code: number, fragment: string | RegExp): void {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).toStartWith('error: ');
  if (typeof fragment === 'string') expect(run.stderr).toContain(fragment);
  else expect(run.stderr).toMatch(fragment);
}

/** No password, and no hash stored in the database, ever reached the terminal. */
async function expectNoSecretsPrinted(passwords: string[]): Promise<void> {
  for (const password of passwords) expect(printed).not.toContain(password);
  expect(printed).not.toContain('$argon2');
  for (const row of await t.db.select({ hash: users.passwordHash }).from(users)) {
    if (row.hash.length > 1) expect(printed).not.toContain(row.hash);
  }
}

async function insertUser(username: string): Promise<number> {
  const [row] = await t.db.insert(users).values({ username, passwordHash: '!', dateJoined: Date.now() }).returning({ id: users.id });
  return row!.id;
}

describe('usage', () => {
  test('help lists every command and exits 0', async () => {
    const run = await manage('help');
    expect(run.code).toBe(0);
    for (const command of [
      'createuser',
      'createsuperuser',
      'changepassword',
      'grant',
      'revoke',
      'addgroup',
      'addtogroup',
      'grantgroup',
      'clearsessions',
      'toast',
      'users',
      'help',
    ]) {
      expect(run.stdout).toContain(command);
    }
  });

  test('no command prints the usage on stderr and exits 2', async () => {
    const run = await manage();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage:');
  });

  test('an unknown command exits 2', async () => {
    expectError(await manage('frobnicate'), 2, 'unknown command "frobnicate"');
  });

  test('a wrong number of arguments exits 2 and shows the usage', async () => {
    expectError(await manage('grant', 'alice'), 2, 'grant <username> <app.codename>');
    expectError(await manage('users', 'extra'), 2, 'wrong number of arguments');
  });

  test('an unknown option exits 2', async () => {
    expectError(await manage('createuser', 'alice', '--admin'), 2, "'--admin'");
  });

  test('an invalid config exits 1 naming the key', async () => {
    const run = await runScript('server/cli/manage.ts', ['users'], { SESSION_INACTIVITY_TIMEOUT_MS: 'soon' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('session.inactivityTimeoutMs');
  });
});

describe('createuser', () => {
  test(
    'creates a staff user with a hashed password',
    async () => {
      const run = await manage('createuser', 'alice', '--email', 'alice@example.com', '--password', GOOD_PASSWORD, '--staff');
      expect(run).toEqual({ code: 0, stdout: 'Created staff user "alice".\n', stderr: '' });
      const row = await findUserByUsername(t.db, 'alice');
      expect(row).toMatchObject({ email: 'alice@example.com', isStaff: true, isSuperuser: false, isActive: true });
      expect(await verifyPassword(GOOD_PASSWORD, row!.passwordHash)).toBe(true);
      await expectNoSecretsPrinted([GOOD_PASSWORD]);
    },
    SLOW,
  );

  test('without --password and without a terminal, creates an unusable password and says so', async () => {
    const run = await manage('createuser', 'bob');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('unusable password');
    expect((await findUserByUsername(t.db, 'bob'))?.passwordHash).toBe('!');
  });

  test('--superuser makes a staff superuser', async () => {
    await manage('createuser', 'root', '--superuser');
    expect(await findUserByUsername(t.db, 'root')).toMatchObject({ isStaff: true, isSuperuser: true });
  });

  test('a duplicate username, in any case, exits 1', async () => {
    await insertUser('alice');
    expectError(await manage('createuser', 'ALICE'), 1, 'already exists');
    expect(await t.db.select().from(users)).toHaveLength(1);
  });

  test('a duplicate email exits 1', async () => {
    await manage('createuser', 'alice', '--email', 'alice@example.com');
    expectError(await manage('createuser', 'alicia', '--email', 'ALICE@example.com'), 1, 'already exists');
  });

  test('a weak password exits 1 listing every validator message, and creates nothing', async () => {
    const run = await manage('createuser', 'carol', '--password', '1234567');
    expectError(run, 1, 'weak password:');
    expect(run.stderr).toContain('too short');
    expect(run.stderr).toContain('entirely numeric');
    expect(run.stderr).toContain('too common');
    expect(await findUserByUsername(t.db, 'carol')).toBeNull();
    await expectNoSecretsPrinted(['1234567']);
  });

  test('an invalid username exits 1', async () => {
    expectError(await manage('createuser', 'no spaces'), 1, 'valid username');
  });
});

describe('createsuperuser', () => {
  test(
    'creates a superuser from flags',
    async () => {
      const run = await manage('createsuperuser', '--username', 'root', '--email', 'root@example.com', '--password', GOOD_PASSWORD);
      expect(run).toEqual({ code: 0, stdout: 'Created superuser "root".\n', stderr: '' });
      expect(await findUserByUsername(t.db, 'root')).toMatchObject({ isStaff: true, isSuperuser: true });
      await expectNoSecretsPrinted([GOOD_PASSWORD]);
    },
    SLOW,
  );

  test('takes the username as an argument too', async () => {
    expect((await manage('createsuperuser', 'boss')).code).toBe(0);
    expect((await findUserByUsername(t.db, 'boss'))?.isSuperuser).toBe(true);
  });

  test('without a username and without a terminal exits 2', async () => {
    expectError(await manage('createsuperuser'), 2, '--username');
  });
});

describe('changepassword', () => {
  test(
    'sets the password and signs out every session of the user',
    async () => {
      const alice = await insertUser('alice');
      const bob = await insertUser('bob');
      await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: alice });
      await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: alice });
      await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: bob });
      const run = await manage('changepassword', 'alice', '--password', OTHER_PASSWORD);
      expect(run).toEqual({ code: 0, stdout: 'Password changed for "alice"; 2 session(s) signed out.\n', stderr: '' });
      expect(await verifyPassword(OTHER_PASSWORD, (await findUserByUsername(t.db, 'alice'))!.passwordHash)).toBe(true);
      expect(await t.db.select().from(sessions).where(eq(sessions.userId, alice))).toEqual([]);
      expect(await t.db.select().from(sessions).where(eq(sessions.userId, bob))).toHaveLength(1);
      await expectNoSecretsPrinted([OTHER_PASSWORD]);
    },
    SLOW,
  );

  test(
    'ends the pending reset links of the user, not of others',
    async () => {
      const alice = await insertUser('alice');
      const bob = await insertUser('bob');
      const aliceLink = await issuePasswordResetToken(t.db, alice, HOUR);
      const bobLink = await issuePasswordResetToken(t.db, bob, HOUR);
      const run = await manage('changepassword', 'alice', '--password', OTHER_PASSWORD);
      expect(run.code).toBe(0);
      expect(await checkPasswordResetToken(t.db, aliceLink)).toBeNull();
      expect(await checkPasswordResetToken(t.db, bobLink)).toBe(bob);
    },
    SLOW,
  );

  test('an unknown user exits 1', async () => {
    expectError(await manage('changepassword', 'ghost', '--password', OTHER_PASSWORD), 1, 'unknown user "ghost"');
  });

  test('a weak password exits 1 and keeps the old hash', async () => {
    await insertUser('alice');
    expectError(await manage('changepassword', 'alice', '--password', 'alice'), 1, 'weak password:');
    expect((await findUserByUsername(t.db, 'alice'))?.passwordHash).toBe('!');
  });

  test('without --password and without a terminal exits 2', async () => {
    await insertUser('alice');
    expectError(await manage('changepassword', 'alice'), 2, '--password');
  });
});

describe('grant and revoke', () => {
  test('grant gives a user a permission; revoke takes it away', async () => {
    const alice = await insertUser('alice');
    const granted = await manage('grant', 'alice', 'notes.delete_note');
    expect(granted.code).toBe(0);
    expect(granted.stdout).toContain('Granted notes.delete_note to "alice"');
    expect((await loadGrants(t.db, alice)).permissions.has('notes.delete_note')).toBe(true);
    const revoked = await manage('revoke', 'alice', 'notes.delete_note');
    expect(revoked).toEqual({ code: 0, stdout: 'Revoked notes.delete_note from "alice".\n', stderr: '' });
    expect((await loadGrants(t.db, alice)).permissions.size).toBe(0);
  });

  test('revoking what the user does not hold says so and succeeds', async () => {
    await insertUser('alice');
    const run = await manage('revoke', 'alice', 'notes.delete_note');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('nothing revoked');
  });

  test('a bad permission name exits 1', async () => {
    await insertUser('alice');
    expectError(await manage('grant', 'alice', 'delete_note'), 1, 'bad permission name "delete_note"');
    expectError(await manage('revoke', 'alice', 'notes.delete note'), 1, 'bad permission name');
  });

  test('an unknown user exits 1', async () => {
    expectError(await manage('grant', 'ghost', 'notes.delete_note'), 1, 'unknown user "ghost"');
    expectError(await manage('revoke', 'ghost', 'notes.delete_note'), 1, 'unknown user "ghost"');
  });
});

describe('groups', () => {
  test('addgroup, addtogroup and grantgroup give members the permission', async () => {
    const alice = await insertUser('alice');
    expect(await manage('addgroup', 'editors')).toEqual({ code: 0, stdout: 'Created group "editors".\n', stderr: '' });
    expect((await manage('addgroup', 'editors')).stdout).toContain('already exists');
    expect((await manage('addtogroup', 'alice', 'editors')).code).toBe(0);
    expect((await manage('grantgroup', 'editors', 'notes.view_note')).code).toBe(0);
    const grants = await loadGrants(t.db, alice);
    expect([...grants.groups]).toEqual(['editors']);
    expect([...grants.permissions]).toEqual(['notes.view_note']);
  });

  test('revoke tells when a group still grants the permission', async () => {
    await insertUser('alice');
    await manage('addgroup', 'editors');
    await manage('addtogroup', 'alice', 'editors');
    await manage('grantgroup', 'editors', 'notes.view_note');
    expect((await manage('revoke', 'alice', 'notes.view_note')).stdout).toContain('through a group');
  });

  test('an unknown group or user exits 1', async () => {
    await insertUser('alice');
    expectError(await manage('addtogroup', 'alice', 'nobody'), 1, 'unknown group "nobody"');
    await manage('addgroup', 'editors');
    expectError(await manage('addtogroup', 'ghost', 'editors'), 1, 'unknown user "ghost"');
    expectError(await manage('grantgroup', 'nobody', 'notes.view_note'), 1, 'unknown group "nobody"');
  });

  test('grantgroup with a bad permission name exits 1', async () => {
    await manage('addgroup', 'editors');
    expectError(await manage('grantgroup', 'editors', 'notes'), 1, 'bad permission name');
  });
});

describe('clearsessions', () => {
  test('deletes only expired sessions and used or expired tokens, and prints how many', async () => {
    const alice = await insertUser('alice');
    const now = Date.now();
    const live = await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: alice }, now);
    const liveAnonymous = await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: null }, now);
    // Idle past the inactivity timeout, and past the absolute lifetime.
    await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: alice }, now - SETTINGS.inactivityTimeoutMs - HOUR);
    const old = await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: null }, now - SETTINGS.absoluteLifetimeMs - HOUR);
    await t.db
      .update(sessions)
      .set({ expiresAt: now + DAY })
      .where(eq(sessions.id, old.session.id));
    const ticket = (ttlMs: number) => issueCookieTicket(t.db, { sessionId: live.session.id, sessionToken: live.token, ttlMs }, now);
    const liveTicket = await ticket(30_000);
    expect(await redeemCookieTicket(t.db, await ticket(30_000), now)).not.toBeNull();
    await ticket(-1);

    const run = await manage('clearsessions');
    expect(run).toEqual({ code: 0, stdout: 'Deleted 2 expired session(s) and 2 used or expired token(s).\n', stderr: '' });
    const left = (await t.db.select({ id: sessions.id }).from(sessions)).map((r) => r.id).sort();
    expect(left).toEqual([live.session.id, liveAnonymous.session.id].sort());
    expect((await t.db.select({ id: authTokens.id }).from(authTokens)).map((r) => r.id)).toEqual([liveTicket.split('.')[0]!]);
    expect((await manage('clearsessions')).stdout).toBe('Deleted 0 expired session(s) and 0 used or expired token(s).\n');
  });
});

describe('with SESSION_BACKEND=redis', () => {
  test('without SESSION_REDIS_URL or BUS_URL, a command refuses to run and says what is missing', async () => {
    const run = await runScript('server/cli/manage.ts', ['users'], { SESSION_BACKEND: 'redis', SESSION_REDIS_URL: '', BUS_URL: '' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('session.redisUrl: SESSION_BACKEND=redis needs SESSION_REDIS_URL');
  });

  test.skipIf(!HAVE_REDIS)(
    'changepassword ends the Redis sessions, and clearsessions deletes tokens and leaves expiry to Redis',
    async () => {
      const redis = await startRedis();
      const sessions = await createRedisSessionBackend(redis.url, t.db);
      try {
        const env = { SESSION_BACKEND: 'redis', SESSION_REDIS_URL: redis.url };
        const alice = await insertUser('alice');
        const bob = await insertUser('bob');
        await createSession(sessions, SETTINGS, { userId: alice });
        await createSession(sessions, SETTINGS, { userId: alice });
        const bobs = await createSession(sessions, SETTINGS, { userId: bob });
        const changed = await runScript('server/cli/manage.ts', ['changepassword', 'alice', '--password', OTHER_PASSWORD], env);
        expect(changed).toEqual({ code: 0, stdout: 'Password changed for "alice"; 2 session(s) signed out.\n', stderr: '' });
        expect(await listUserSessions(sessions, alice)).toEqual([]);
        expect(await listUserSessions(sessions, bob)).toEqual([bobs.session]);

        await issueCookieTicket(t.db, { sessionId: bobs.session.id, sessionToken: bobs.token, ttlMs: -1 });
        const cleared = await runScript('server/cli/manage.ts', ['clearsessions'], env);
        expect(cleared).toEqual({
          code: 0,
          stdout: 'Deleted 1 used or expired token(s); Redis deletes expired sessions itself.\n',
          stderr: '',
        });
        expect(await listUserSessions(sessions, bob)).toEqual([bobs.session]);
        await expectNoSecretsPrinted([OTHER_PASSWORD]);
        expect(printed).not.toContain(bobs.token.split('.')[1]!);
      } finally {
        await sessions.close();
        await redis.stop();
      }
    },
    SLOW,
  );
});

describe('users', () => {
  test('lists every user with email, staff, superuser, active and last login', async () => {
    await manage('createuser', 'bob');
    await manage('createuser', 'alice', '--email', 'alice@example.com', '--staff');
    await manage('createsuperuser', 'root');
    await t.db
      .update(users)
      .set({ lastLogin: Date.UTC(2026, 0, 31, 9, 5), isActive: false })
      .where(eq(users.username, 'bob'));
    const run = await manage('users');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]?.split(/\s{2,}/)).toEqual(['username', 'email', 'staff', 'superuser', 'active', 'last login (UTC)']);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['alice', 'alice@example.com', 'yes', 'no', 'yes', 'never'],
      ['bob', '-', 'no', 'no', 'no', '2026-01-31 09:05'],
      ['root', '-', 'yes', 'yes', 'yes', 'never'],
    ]);
    await expectNoSecretsPrinted([]);
  });

  test('says so when there are none', async () => {
    expect((await manage('users')).stdout).toBe('No users.\n');
  });
});

describe('db:seed', () => {
  test(
    'creates alice and bob once, then skips them',
    async () => {
      const first = await runScript('server/app/seed.ts', []);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('alice-demo-pass');
      expect(first.stdout).toContain('bob-demo-pass');

      const alice = await findUserByUsername(t.db, 'alice');
      const bob = await findUserByUsername(t.db, 'bob');
      expect(alice).toMatchObject({ isStaff: true, isSuperuser: false });
      expect(bob).toMatchObject({ isStaff: false, isSuperuser: false });
      expect(await verifyPassword('alice-demo-pass', alice!.passwordHash)).toBe(true);
      expect(await verifyPassword('bob-demo-pass', bob!.passwordHash)).toBe(true);
      expect([...(await loadGrants(t.db, alice!.id)).permissions]).toEqual(['notes.delete_note']);
      expect((await loadGrants(t.db, bob!.id)).permissions.size).toBe(0);
      const perms = await t.client.execute("SELECT app_label || '.' || codename AS perm FROM permissions ORDER BY 1");
      expect(perms.rows.map((r) => r.perm)).toEqual(['notes.delete_note', 'notes.view_note']);

      const second = await runScript('server/app/seed.ts', []);
      expect(second.code).toBe(0);
      expect(second.stdout).toContain('"alice" already exists; skipped');
      expect(second.stdout).toContain('"bob" already exists; skipped');
      expect(second.stdout).not.toContain('demo-pass');
      expect(await t.db.select().from(users)).toHaveLength(2);
      expect((await findUserByUsername(t.db, 'alice'))!.passwordHash).toBe(alice!.passwordHash);
    },
    SLOW,
  );
});

/** An in-process command context over the test's database, its output kept in `lines`. */
function quietContext(lines: string[]): CommandContext {
  return {
    db: t.db,
    sessions: createLibsqlSessionBackend(t.db),
    config: loadConfig({}, {}),
    io: { interactive: false, out: (line) => lines.push(line), prompt: async () => null },
  };
}

describe('identity change notifications', () => {
  /** Runs commands in-process with a recording `notify`, the seam the identity bus plugs into. */
  function recordingContext(): { ctx: CommandContext; changes: IdentityChange[]; lines: string[] } {
    const changes: IdentityChange[] = [];
    const lines: string[] = [];
    const ctx: CommandContext = {
      ...quietContext(lines),
      notify: (change) => {
        changes.push(change);
      },
    };
    return { ctx, changes, lines };
  }

  test('grant, revoke, addtogroup and grantgroup report whose permissions changed', async () => {
    const alice = await insertUser('alice');
    const bob = await insertUser('bob');
    await manage('addgroup', 'editors');
    const { ctx, changes } = recordingContext();
    await grantCommand(ctx, { username: 'alice', perm: 'notes.view_note' });
    await revokeCommand(ctx, { username: 'alice', perm: 'notes.view_note' });
    await revokeCommand(ctx, { username: 'alice', perm: 'notes.view_note' }); // nothing held: no change
    await addToGroupCommand(ctx, { username: 'alice', group: 'editors' });
    await addToGroupCommand(ctx, { username: 'bob', group: 'editors' });
    await grantGroupCommand(ctx, { group: 'editors', perm: 'notes.edit_note' });
    expect(changes).toEqual([
      { kind: 'permissions_changed', userIds: [alice] },
      { kind: 'permissions_changed', userIds: [alice] },
      { kind: 'permissions_changed', userIds: [alice] },
      { kind: 'permissions_changed', userIds: [bob] },
      { kind: 'permissions_changed', userIds: expect.arrayContaining([alice, bob]) },
    ]);
  });

  test(
    'changepassword reports the user and the sessions it ended',
    async () => {
      const alice = await insertUser('alice');
      const { session } = await createSession(createLibsqlSessionBackend(t.db), SETTINGS, { userId: alice });
      const { ctx, changes } = recordingContext();
      expect(await changePasswordCommand(ctx, { username: 'alice', password: OTHER_PASSWORD })).toEqual({ ok: true });
      expect(changes).toEqual([{ kind: 'password_changed', userId: alice, sessionIds: [session.id] }]);
    },
    SLOW,
  );

  test('a failed command reports nothing', async () => {
    const { ctx, changes } = recordingContext();
    const outcome = await grantCommand(ctx, { username: 'ghost', perm: 'notes.view_note' });
    expect(outcome).toEqual({ ok: false, code: 1, message: 'unknown user "ghost"' });
    expect(changes).toEqual([]);
  });
});

describe('toast', () => {
  /** Runs `toast` in-process on a real in-process bus, recording what it publishes. */
  function pushingContext(): { ctx: CommandContext; published: BusEvent[]; lines: string[] } {
    const bus = createMemoryBus();
    const published: BusEvent[] = [];
    bus.subscribe((event) => void published.push(event));
    const lines: string[] = [];
    const ctx: CommandContext = { ...quietContext(lines), pusher: createPusher({ bus, slices: [] }) };
    return { ctx, published, lines };
  }

  test('without BUS_URL exits 1: no running server would hear it', async () => {
    expectError(await runScript('server/cli/manage.ts', ['toast', 'hello', '--all'], { BUS_URL: '' }), 1, 'toast needs BUS_URL');
  });

  test("publishes a toast to a user's open tabs, or to every tab", async () => {
    const alice = await insertUser('alice');
    const { ctx, published, lines } = pushingContext();
    expect(await toastCommand(ctx, { message: 'Your export is ready', username: 'alice', all: false, kind: 'success' })).toEqual({
      ok: true,
    });
    expect(await toastCommand(ctx, { message: 'Maintenance at 18:00', all: true })).toEqual({ ok: true });
    expect(published).toEqual([
      {
        type: 'push',
        target: { userId: alice },
        delta: {},
        actions: [{ type: 'toast', kind: 'success', message: 'Your export is ready' }],
      },
      { type: 'push', target: { all: true }, delta: {}, actions: [{ type: 'toast', kind: 'info', message: 'Maintenance at 18:00' }] },
    ]);
    expect(lines).toEqual(['Toast sent to the open tabs of "alice".', 'Toast sent to every open tab.']);
  });

  test('refuses an unknown user, a bad kind, a missing or double target, and an empty message', async () => {
    await insertUser('alice');
    const { ctx, published } = pushingContext();
    expect(await toastCommand(ctx, { message: 'x', username: 'ghost', all: false })).toEqual({
      ok: false,
      code: 1,
      message: 'unknown user "ghost"',
    });
    expect(await toastCommand(ctx, { message: 'x', all: true, kind: 'shout' })).toMatchObject({ ok: false, code: 2 });
    expect(await toastCommand(ctx, { message: 'x', all: false })).toMatchObject({ ok: false, code: 2 });
    expect(await toastCommand(ctx, { message: 'x', username: 'alice', all: true })).toMatchObject({ ok: false, code: 2 });
    const empty = await toastCommand(ctx, { message: '', all: true });
    expect(empty).toMatchObject({ ok: false, code: 1 });
    expect(empty.ok ? '' : empty.message).toContain('INVALID_ACTIONS');
    expect(published).toEqual([]);
  });
});
