import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { z } from 'zod';
import { authed, can, createAppRouter, defineSlice, publicProcedure, router } from '../../../server';
import { fuseGuards } from '../../../server/trpc';
import { startTestServer, type TestServer } from '../../helpers/server';

const counter = defineSlice('fusion', { hits: 0 });
const order: string[] = [];

/** The same guards, once right after the bridge (fused into it) and once after the input (a tRPC level each). */
const fusionRouter = router({
  fused: publicProcedure
    .use(authed())
    .use(can('fusion.write', { onDenied: () => void order.push('denied fused') }))
    .input(z.object({ n: z.number().int() }))
    .mutation(({ ctx, input }) => {
      ctx.state.set(counter, { hits: input.n });
      return `fused ${ctx.user.username}`;
    }),
  levels: publicProcedure
    .input(z.object({ n: z.number().int() }))
    .use(authed())
    .use(can('fusion.write', { onDenied: () => void order.push('denied levels') }))
    .mutation(({ ctx, input }) => {
      ctx.state.set(counter, { hits: input.n });
      return `levels ${ctx.user.username}`;
    }),
});

type Procedures = Record<string, { _def: { middlewares: { name: string }[] } }>;
const procedures = (appRouter: { _def: { procedures: unknown } }) => appRouter._def.procedures as Procedures;

let server: TestServer;
const appRouter = createAppRouter({ fusion: fusionRouter });
beforeEach(async () => {
  order.length = 0;
  server = await startTestServer({}, { router: appRouter, slices: [counter] });
});
afterEach(async () => {
  await server.stop();
});

async function call(cookie: string | undefined, path: string, n = 1) {
  const ws = await server.open({ cookie, path: '/fusion' });
  const reply = await ws.call('mutation', path, { n });
  await ws.close();
  return reply;
}

describe('guards right after the bridge run inside it', () => {
  test('createStatehouse folds them into the bridge; guards placed later keep their own level', () => {
    const names = (path: string) => procedures(appRouter)[path]!._def.middlewares.map((m) => m.name);
    expect(names('fusion.fused')).toEqual(['bridge', 'inputValidatorMiddleware', 'resolveMiddleware']);
    expect(names('fusion.levels')).toEqual(['bridge', 'inputValidatorMiddleware', 'isAuthed', 'hasPermission', 'resolveMiddleware']);
  });

  test('folding again changes nothing', () => {
    const before = procedures(appRouter)['fusion.fused']!._def.middlewares;
    fuseGuards(appRouter);
    expect(procedures(appRouter)['fusion.fused']!._def.middlewares).toBe(before);
  });

  test.each(['fusion.fused', 'fusion.levels'])('%s: anonymous callers get UNAUTHORIZED and the login redirect, nothing else runs', async (path) => {
    const reply = await call(undefined, path);
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    expect(reply.error?.data.statehouse).toEqual({ delta: {}, actions: [{ type: 'navigate', to: '/login?next=%2Ffusion' }] });
    expect(order).toEqual([]);
  });

  test.each([
    ['fusion.fused', 'denied fused'],
    ['fusion.levels', 'denied levels'],
  ])('%s: a user without the permission gets FORBIDDEN, the toast, and the hook runs', async (path, hook) => {
    const plain = await server.userWithSession('plain');
    const reply = await call(plain.cookie, path);
    expect(reply.error?.data.code).toBe('FORBIDDEN');
    expect(reply.error?.data.statehouse.actions).toEqual([{ type: 'toast', kind: 'error', message: 'You do not have permission to do that.' }]);
    expect(order).toEqual([hook]);
  });

  test.each(['fusion.fused', 'fusion.levels'])('%s: a user with the permission gets the data and the delta', async (path) => {
    const writer = await server.userWithSession('writer', { perms: ['fusion.write'] });
    const reply = await call(writer.cookie, path, 7);
    const label = path === 'fusion.fused' ? 'fused' : 'levels';
    expect(reply.result?.data).toMatchObject({ data: `${label} writer`, delta: { fusion: { hits: 7 } } });
  });

  test('bad input is refused after the guards, as before: a guard first, then validation', async () => {
    const ws = await server.open({ path: '/fusion' });
    const anonymous = await ws.call('mutation', 'fusion.fused', { n: 'x' });
    await ws.close();
    expect(anonymous.error?.data.code).toBe('UNAUTHORIZED');
    const writer = await server.userWithSession('writer', { perms: ['fusion.write'] });
    const signedIn = await server.open({ cookie: writer.cookie, path: '/fusion' });
    const bad = await signedIn.call('mutation', 'fusion.fused', { n: 'x' });
    await signedIn.close();
    expect(bad.error?.data.code).toBe('BAD_REQUEST');
  });
});
