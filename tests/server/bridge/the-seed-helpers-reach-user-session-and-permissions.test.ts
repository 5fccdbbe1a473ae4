import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../../db/schema';
import {
  ANONYMOUS_USER,
  authed,
  createAppRouter,
  currentSession,
  currentUser,
  hasGroup,
  permissionsProcessor,
  publicProcedure,
  request,
  router,
  userHasPerm,
  withContext,
  type PermissionsContext,
} from '../../../server';
import { ensurePermission } from '../../../server/auth/users';
import { SessionDataError } from '../../../server/auth/session-data';
import { findUserById } from '../../../server/auth/users';
import { toAuthUser } from '../../../server/auth/user';
import { dashboard, probeRouter, startTestServer, type TestServer } from '../../helpers/server';

/** Reads through the importable helpers only, from a function the handler calls. */
async function readThroughHelpers() {
  await Promise.resolve();
  return {
    userId: request.user.id,
    sessionIdMatches: request.session.id === currentSession().id && request.session.id !== null,
    theme: await currentSession().get<string>('theme', 'light'),
    canDelete: await userHasPerm(request.user, 'notes.delete_note'),
    editor: await hasGroup(request.user, 'editors'),
  };
}

const seedRouter = router({
  helpers: publicProcedure.query(() => readThroughHelpers()),
  setTheme: publicProcedure.input(z.object({ theme: z.string().max(20) })).mutation(async ({ input }) => {
    await request.session.set('theme', input.theme);
    return true;
  }),
  perms: publicProcedure.use(withContext<PermissionsContext>()).query(({ ctx }) => ctx.request.context.PERMS),
  rename: publicProcedure
    .use(authed())
    .input(z.object({ firstName: z.string().max(30) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.update(users).set({ firstName: input.firstName }).where(eq(users.id, ctx.user.id));
      const reread = await ctx.auth.refreshSnapshot();
      return { before: ctx.user.firstName, after: reread.firstName, current: currentUser().firstName };
    }),
});

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer(
    { contextProcessors: [permissionsProcessor] },
    { router: createAppRouter({ probe: probeRouter, seed: seedRouter }), slices: [dashboard] },
  );
});
afterEach(async () => {
  await server.stop();
});

describe('request.user, request.session and currentSession()', () => {
  test('inside an event they are the event user and session, from any helper the handler calls', async () => {
    const alice = await server.userWithSession('alice', { perms: ['notes.delete_note'], groups: ['editors'] });
    const ws = await server.open({ cookie: alice.cookie });
    expect((await ws.ok('mutation', 'seed.setTheme', { theme: 'dark' })).data).toBe(true);
    expect((await ws.ok('query', 'seed.helpers')).data).toEqual({
      userId: alice.userId,
      sessionIdMatches: true,
      theme: 'dark',
      canDelete: true,
      editor: true,
    });
    await ws.close();
  });

  test('outside an event the user is anonymous and the session empty; a write is a typed error', async () => {
    expect(request.user).toBe(ANONYMOUS_USER);
    expect(currentSession().id).toBeNull();
    expect(await currentSession().get('theme', 'light')).toBe('light');
    expect(await currentSession().keys()).toEqual([]);
    await expect(currentSession().set('theme', 'dark')).rejects.toBeInstanceOf(SessionDataError);
  });
});

describe('userHasPerm and hasGroup', () => {
  test('outside an event they need the database, and say so', async () => {
    const bob = await server.userWithSession('bob', { perms: ['notes.view_note'] });
    const row = (await findUserById(server.db.db, bob.userId))!;
    const user = toAuthUser(row);
    expect(() => userHasPerm(user, 'notes.view_note')).toThrow('pass it as the last argument');
    expect(await userHasPerm(user, 'notes.view_note', server.db.db)).toBe(true);
    expect(await userHasPerm(user, 'notes.delete_note', server.db.db)).toBe(false);
    expect(await hasGroup(user, 'editors', server.db.db)).toBe(false);
  });
});

describe('the permissions context processor (PERMS)', () => {
  test('lists the permissions a user holds by app label, none for the anonymous user', async () => {
    const carol = await server.userWithSession('carol', { perms: ['notes.view_note', 'notes.add_note', 'billing.view_invoice'] });
    const ws = await server.open({ cookie: carol.cookie });
    expect((await ws.ok('query', 'seed.perms')).data).toEqual({
      notes: { view_note: true, add_note: true },
      billing: { view_invoice: true },
    });
    const anonymous = await server.open();
    expect((await anonymous.ok('query', 'seed.perms')).data).toEqual({});
    await Promise.all([ws.close(), anonymous.close()]);
  });

  test('an active superuser holds every permission that exists', async () => {
    await ensurePermission(server.db.db, 'reports.export_report');
    await ensurePermission(server.db.db, 'notes.view_note');
    const root = await server.userWithSession('root', { superuser: true });
    const ws = await server.open({ cookie: root.cookie });
    const perms = (await ws.ok('query', 'seed.perms')).data;
    expect(perms.reports).toEqual({ export_report: true });
    expect(perms.notes.view_note).toBe(true);
    await ws.close();
  });
});

describe('ctx.auth.refreshSnapshot()', () => {
  test('after a handler changed the user row, the reply carries the new snapshot and the other tabs get it pushed', async () => {
    const dana = await server.userWithSession('dana');
    const tab = await server.open({ cookie: dana.cookie });
    const sibling = await server.open({ cookie: dana.cookie });
    await tab.subscribeState();
    const first = await sibling.subscribeState();
    expect(first.delta?.auth?.firstName ?? '').toBe('');

    const reply = await tab.ok('mutation', 'seed.rename', { firstName: 'Dana' });
    expect(reply.data).toEqual({ before: '', after: 'Dana', current: 'Dana' });
    expect(reply.delta.auth).toEqual({ firstName: 'Dana' });

    await sibling.waitForPushes(2);
    expect(sibling.pushes[1].delta.auth).toEqual({ firstName: 'Dana' });
    await Promise.all([tab.close(), sibling.close()]);
  });
});
