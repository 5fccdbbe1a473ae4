import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { callTRPCProcedure, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authed, can, createAppRouter, defineSlice, EventError, guarded, publicProcedure, router } from '../../../server';
import { Connection } from '../../../server/bridge/connection';
import { callProcedureChain } from '../../../server/bridge/procedure-chain';
import { startTestServer, type TestServer } from '../../helpers/server';

const counter = defineSlice('fusion', { hits: 0 });
const order: string[] = [];

/**
 * The same guards three ways: run by the bridge (`guarded`), as tRPC levels
 * before the input and as tRPC levels after it.
 */
const fusionRouter = router({
  fused: guarded(authed(), can('fusion.write', { onDenied: () => void order.push('denied fused') }))
    .input(z.object({ n: z.number().int() }))
    .mutation(({ ctx, input }) => {
      // Typed as a logged-in user: the id is a number, never null.
      const id: number = ctx.user.id;
      ctx.state.set(counter, { hits: input.n + id - id });
      return `fused ${ctx.user.username}`;
    }),
  first: publicProcedure
    .use(authed())
    .use(can('fusion.write', { onDenied: () => void order.push('denied first') }))
    .input(z.object({ n: z.number().int() }))
    .mutation(({ ctx, input }) => {
      ctx.state.set(counter, { hits: input.n });
      return `first ${ctx.user.username}`;
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

const appRouter = createAppRouter({ fusion: fusionRouter });
/** The middleware chains as defined, before any server started. */
const defined = Object.fromEntries(Object.entries(procedures(appRouter)).map(([path, p]) => [path, p._def.middlewares]));

let server: TestServer;
beforeEach(async () => {
  order.length = 0;
  server = await startTestServer({}, { router: appRouter, slices: [counter] });
});
afterEach(async () => {
  await server.stop();
});

async function call(cookie: string | undefined, path: string, n: unknown = 1) {
  const ws = await server.open({ cookie, path: '/fusion' });
  const reply = await ws.call('mutation', path, { n });
  await ws.close();
  return reply;
}

const PATHS = ['fusion.fused', 'fusion.first', 'fusion.levels'] as const;

describe('guarded(...) runs its guards in the bridge, visibly', () => {
  test('the procedure as defined is the one that runs: guarded() has one bridge level, .use(guard) a level per guard', () => {
    const names = (path: string) => procedures(appRouter)[path]!._def.middlewares.map((m) => m.name);
    expect(names('fusion.fused')).toEqual(['bridge', 'inputValidatorMiddleware', 'resolveMiddleware']);
    expect(names('fusion.first')).toEqual(['bridge', 'isAuthed', 'hasPermission', 'inputValidatorMiddleware', 'resolveMiddleware']);
    expect(names('fusion.levels')).toEqual(['bridge', 'inputValidatorMiddleware', 'isAuthed', 'hasPermission', 'resolveMiddleware']);
  });

  test('starting a server leaves every procedure as defined', () => {
    for (const [path, middlewares] of Object.entries(defined)) expect(procedures(appRouter)[path]!._def.middlewares).toBe(middlewares);
  });

  test.each(PATHS)('%s: anonymous callers get UNAUTHORIZED and the login redirect, nothing else runs', async (path) => {
    const reply = await call(undefined, path);
    expect(reply.error?.data.code).toBe('UNAUTHORIZED');
    expect(reply.error?.data.statehouse).toEqual({ delta: {}, actions: [{ type: 'navigate', to: '/login?next=%2Ffusion' }] });
    expect(order).toEqual([]);
  });

  test.each([
    ['fusion.fused', 'denied fused'],
    ['fusion.first', 'denied first'],
    ['fusion.levels', 'denied levels'],
  ])('%s: a user without the permission gets FORBIDDEN, the toast, and the hook runs', async (path, hook) => {
    const plain = await server.userWithSession('plain');
    const reply = await call(plain.cookie, path);
    expect(reply.error?.data.code).toBe('FORBIDDEN');
    expect(reply.error?.data.statehouse.actions).toEqual([
      { type: 'toast', kind: 'error', message: 'You do not have permission to do that.' },
    ]);
    expect(order).toEqual([hook]);
  });

  test.each(PATHS)('%s: a user with the permission gets the data and the delta', async (path) => {
    const writer = await server.userWithSession('writer', { perms: ['fusion.write'] });
    const reply = await call(writer.cookie, path, 7);
    const label = path.slice('fusion.'.length);
    expect(reply.result?.data).toMatchObject({ data: `${label} writer`, delta: { fusion: { hits: 7 } } });
  });

  test('bad input is refused after the guards: a guard first, then validation', async () => {
    const anonymous = await call(undefined, 'fusion.fused', 'x');
    expect(anonymous.error?.data.code).toBe('UNAUTHORIZED');
    const writer = await server.userWithSession('writer', { perms: ['fusion.write'] });
    const bad = await call(writer.cookie, 'fusion.fused', 'x');
    expect(bad.error?.data.code).toBe('BAD_REQUEST');
  });
});

describe("guarded(...) against tRPC's own callTRPCProcedure", () => {
  /** One call on a fresh connection carrying `cookie`, through our chain or through tRPC's. */
  async function outcome(caller: 'ours' | 'trpc', path: string, cookie: string, input: unknown) {
    const { runtime } = server.statehouse;
    const connection = new Connection({
      headers: new Headers(cookie ? { cookie } : {}),
      ip: '127.0.0.1',
      secure: false,
      origin: server.url,
      messageBurst: 100,
      messagesPerSecond: 100,
    });
    connection.followRoute('/fusion', '');
    const ctx = { runtime, connection };
    const run =
      caller === 'ours'
        ? callProcedureChain({ router: appRouter, path, type: 'mutation', input, ctx, signal: undefined, batchIndex: 0 })
        : callTRPCProcedure({
            router: appRouter,
            path,
            type: 'mutation',
            ctx,
            signal: undefined,
            batchIndex: 0,
            getRawInput: async () => input,
          });
    try {
      const envelope = (await run) as { data: string; delta: unknown; actions: unknown };
      // The label differs by procedure on purpose; the rest must not.
      return { ok: true, data: envelope.data.replace(/^\w+ /, ''), delta: envelope.delta, actions: envelope.actions };
    } catch (error) {
      if (!(error instanceof TRPCError)) throw error;
      const carried = error instanceof EventError ? { delta: error.delta, actions: error.actions } : null;
      return { ok: false, code: error.code, message: error.message, carried };
    }
  }

  test.each([
    ['anonymous', null, { n: 1 }],
    ['without the permission', 'plain', { n: 2 }],
    ['with the permission', 'writer', { n: 3 }],
    ['with the permission, bad input', 'writer', { n: 'x' }],
  ] as const)('%s: fused or not, through either chain, the same answer, error and client actions', async (_name, who, input) => {
    const cookie = who ? (await server.userWithSession(who, who === 'writer' ? { perms: ['fusion.write'] } : {})).cookie : '';
    const answers = [];
    for (const path of PATHS) for (const caller of ['ours', 'trpc'] as const) answers.push(await outcome(caller, path, cookie, input));
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]!);
    if (who === 'writer' && typeof input.n === 'number')
      expect(answers[0]).toMatchObject({ ok: true, data: 'writer', delta: { fusion: { hits: 3 } } });
    else expect(answers[0]).toMatchObject({ ok: false, carried: { delta: {} } });
  });
});
