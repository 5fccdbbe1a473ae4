import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { createAppRouter, groupRequired, publicProcedure, router, staffRequired, superuserRequired } from '../../../server';
import { startTestServer, type TestServer } from '../../helpers/server';

const guardedRouter = router({
  editors: publicProcedure.use(groupRequired('editors')).query(({ ctx }) => `editor ${ctx.user.username}`),
  staff: publicProcedure.use(staffRequired()).query(({ ctx }) => `staff ${ctx.user.username}`),
  root: publicProcedure.use(superuserRequired()).query(({ ctx }) => `superuser ${ctx.user.username}`),
  elsewhere: publicProcedure.use(groupRequired('editors', { redirect: '/no-access' })).query(() => 'in'),
  hasGroup: publicProcedure.query(({ ctx }) => ctx.auth.hasGroup('editors')),
});

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer({}, { router: createAppRouter({ guarded: guardedRouter }), slices: [] });
});
afterEach(async () => {
  await server.stop();
});

async function call(cookie: string | undefined, path: string) {
  const ws = await server.open({ cookie, path: '/admin' });
  const reply = await ws.call('query', path);
  await ws.close();
  return reply;
}

describe('groupRequired / staffRequired / superuserRequired', () => {
  test.each(['guarded.editors', 'guarded.staff', 'guarded.root'])(
    '%s: anonymous callers get UNAUTHORIZED and a login redirect',
    async (path) => {
      const reply = await call(undefined, path);
      expect(reply.error?.data.code).toBe('UNAUTHORIZED');
      expect(reply.error?.data.statehouse.actions).toEqual([{ type: 'navigate', to: '/login?next=%2Fadmin' }]);
    },
  );

  test.each(['guarded.editors', 'guarded.staff', 'guarded.root'])('%s: a plain user gets FORBIDDEN and an error toast', async (path) => {
    const plain = await server.userWithSession('plain');
    const reply = await call(plain.cookie, path);
    expect(reply.error?.data.code).toBe('FORBIDDEN');
    expect(reply.error?.data.statehouse.actions).toEqual([
      { type: 'toast', kind: 'error', message: 'You do not have permission to do that.' },
    ]);
  });

  test('the right user passes each guard', async () => {
    const editor = await server.userWithSession('ed', { groups: ['editors'] });
    const staff = await server.userWithSession('sam', { staff: true });
    const root = await server.userWithSession('root', { superuser: true });
    expect((await call(editor.cookie, 'guarded.editors')).result?.data).toMatchObject({ data: 'editor ed' });
    expect((await call(staff.cookie, 'guarded.staff')).result?.data).toMatchObject({ data: 'staff sam' });
    expect((await call(root.cookie, 'guarded.root')).result?.data).toMatchObject({ data: 'superuser root' });
  });

  test('a superuser passes groupRequired without being a member', async () => {
    const root = await server.userWithSession('root', { superuser: true });
    expect((await call(root.cookie, 'guarded.editors')).result?.data).toMatchObject({ data: 'editor root' });
  });

  test('staffRequired wants is_staff: a superuser who is not staff is refused, as in Django’s admin', async () => {
    const root = await server.userWithSession('root', { superuser: true, staff: false });
    const both = await server.userWithSession('both', { superuser: true });
    expect((await call(root.cookie, 'guarded.staff')).error?.data.code).toBe('FORBIDDEN');
    expect((await call(both.cookie, 'guarded.staff')).result?.data).toMatchObject({ data: 'staff both' });
  });

  test('staff or a group member is not a superuser', async () => {
    const staff = await server.userWithSession('sam', { staff: true, groups: ['editors'] });
    expect((await call(staff.cookie, 'guarded.root')).error?.data.code).toBe('FORBIDDEN');
  });

  test('an inactive superuser has no session to pass with', async () => {
    const ghost = await server.userWithSession('ghost', { superuser: true, staff: true, active: false });
    for (const path of ['guarded.editors', 'guarded.staff', 'guarded.root']) {
      expect((await call(ghost.cookie, path)).error?.data.code).toBe('UNAUTHORIZED');
    }
  });

  test('a redirect option sends refused users there instead of a toast', async () => {
    const plain = await server.userWithSession('plain');
    const reply = await call(plain.cookie, 'guarded.elsewhere');
    expect(reply.error?.data.code).toBe('FORBIDDEN');
    expect(reply.error?.data.statehouse.actions).toEqual([{ type: 'navigate', to: '/no-access' }]);
  });
});

describe('ctx.auth.hasGroup()', () => {
  test('members and superusers pass; others and anonymous callers do not', async () => {
    const editor = await server.userWithSession('ed', { groups: ['editors'] });
    const plain = await server.userWithSession('plain', { groups: ['readers'] });
    const root = await server.userWithSession('root', { superuser: true });
    expect((await call(editor.cookie, 'guarded.hasGroup')).result?.data).toMatchObject({ data: true });
    expect((await call(plain.cookie, 'guarded.hasGroup')).result?.data).toMatchObject({ data: false });
    expect((await call(root.cookie, 'guarded.hasGroup')).result?.data).toMatchObject({ data: true });
    expect((await call(undefined, 'guarded.hasGroup')).result?.data).toMatchObject({ data: false });
  });
});
