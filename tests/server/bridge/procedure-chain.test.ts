import { describe, expect, test } from 'bun:test';
import { callTRPCProcedure, initTRPC, TRPCError } from '@trpc/server';
import { lazy } from '@trpc/server/unstable-core-do-not-import';
import { z } from 'zod';
import { callProcedureChain, type ProcedureCall } from '../../../server/bridge/procedure-chain';

/**
 * The socket's procedure chain must answer exactly what tRPC's own
 * `callTRPCProcedure` answers: every case runs through both.
 */
interface Ctx {
  who: string;
  seen?: string[];
}

const t = initTRPC.context<Ctx>().create();
const seenOpts: Record<string, unknown>[] = [];

const tag = t.middleware(({ ctx, next }) => next({ ctx: { seen: [...(ctx.seen ?? []), 'tag'] } }));
// Passes a context holding every entry of the one it got (the bridge's way).
const superset = t.middleware(({ ctx, next }) => next({ ctx: { ...ctx, extra: 1 } }));
const record = t.middleware((opts) => {
  const { next, ...rest } = opts;
  seenOpts.push({ ...rest, nextIsFunction: typeof next === 'function' });
  return next();
});
const swallow = t.middleware(async ({ next }) => {
  const result = await next();
  return result.ok ? result : { ...result, error: new TRPCError({ code: 'CONFLICT', message: `wrapped: ${result.error.message}` }) };
});

const appRouter = t.router({
  echo: t.procedure
    .use(tag)
    .input(z.object({ n: z.number() }))
    .query(({ ctx, input }) => ({ who: ctx.who, seen: ctx.seen, n: input.n })),
  merged: t.procedure
    .use(superset)
    .use(tag)
    .query(({ ctx }) => ({ ...ctx })),
  twoInputs: t.procedure
    .input(z.object({ a: z.number() }))
    .input(z.object({ b: z.string() }))
    .mutation(({ input }) => input),
  opts: t.procedure
    .meta({ label: 'opts' } as never)
    .use(record)
    .input(z.number())
    .query(({ input }) => input),
  throws: t.procedure.use(swallow).query(() => {
    throw new Error('boom');
  }),
  refuses: t.procedure
    .use(() => {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'no' });
    })
    .query(() => 'never'),
  forgetsNext: t.procedure.use((() => undefined) as never).query(() => 'never'),
  ticks: t.procedure.subscription(async function* () {
    yield 1;
  }),
  // A procedure with a caller is typed as a plain function; at run time it keeps its `_def`.
  withCaller: t.procedure
    .experimental_caller(async ({ invoke, args }) => invoke(args[0] as never))
    .query(({ ctx }) => `through the caller for ${ctx.who}`) as unknown as ReturnType<typeof t.procedure.query>,
  nested: lazy(async () => t.router({ inner: t.procedure.query(() => 'lazy') })),
});

const base = { router: appRouter, ctx: { who: 'alice' } as Ctx, signal: undefined, batchIndex: 0 };

/** Both answers: `{ ok, value }` or `{ ok: false, code, message }`. */
async function both(call: Omit<ProcedureCall, 'router' | 'ctx' | 'signal' | 'batchIndex'> & Partial<ProcedureCall>) {
  const settle = (promise: Promise<unknown>) =>
    promise.then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({
        ok: false,
        code: error instanceof TRPCError ? error.code : 'NOT_A_TRPC_ERROR',
        message: (error as Error).message,
      }),
    );
  const full = { ...base, ...call };
  const ours = await settle(callProcedureChain(full));
  const theirs = await settle(
    callTRPCProcedure({
      router: full.router,
      path: full.path,
      type: full.type,
      ctx: full.ctx,
      signal: full.signal,
      batchIndex: full.batchIndex,
      getRawInput: async () => full.input,
    }),
  );
  return { ours, theirs };
}

describe('callProcedureChain', () => {
  test.each([
    ['a guarded query with input', { path: 'echo', type: 'query', input: { n: 3 } }],
    ['input that fails validation', { path: 'echo', type: 'query', input: { n: 'x' } }],
    ['context added by two middlewares, one passing a superset', { path: 'merged', type: 'query', input: undefined }],
    ['stacked input parsers combine', { path: 'twoInputs', type: 'mutation', input: { a: 1, b: 'two' } }],
    ['a handler error, seen by a middleware as a failed result', { path: 'throws', type: 'query', input: undefined }],
    ['a middleware that throws', { path: 'refuses', type: 'query', input: undefined }],
    ['a middleware that forgets next()', { path: 'forgetsNext', type: 'query', input: undefined }],
    ['a path that does not exist', { path: 'nope', type: 'query', input: undefined }],
    ['the wrong type for a path', { path: 'echo', type: 'mutation', input: { n: 1 } }],
    ['a procedure in a lazy router', { path: 'nested.inner', type: 'query', input: undefined }],
    ['a procedure with an experimental_caller', { path: 'withCaller', type: 'query', input: undefined }],
  ] as const)('%s: the same answer as tRPC', async (_name, call) => {
    const { ours, theirs } = await both(call);
    expect(ours).toEqual(theirs);
  });

  test('answers what the cases above expect, not just the same thing twice', async () => {
    expect((await both({ path: 'echo', type: 'query', input: { n: 3 } })).ours).toEqual({
      ok: true,
      value: { who: 'alice', seen: ['tag'], n: 3 },
    });
    expect((await both({ path: 'merged', type: 'query', input: undefined })).ours).toEqual({
      ok: true,
      value: { who: 'alice', extra: 1, seen: ['tag'] },
    });
    expect((await both({ path: 'throws', type: 'query', input: undefined })).ours).toMatchObject({
      ok: false,
      code: 'CONFLICT',
      message: 'wrapped: boom',
    });
    expect((await both({ path: 'forgetsNext', type: 'query', input: undefined })).ours).toMatchObject({
      ok: false,
      code: 'INTERNAL_SERVER_ERROR',
    });
    expect((await both({ path: 'withCaller', type: 'query', input: undefined })).ours).toEqual({
      ok: true,
      value: 'through the caller for alice',
    });
    expect((await both({ path: 'nope', type: 'query', input: undefined })).ours).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });

  test('a middleware sees the options tRPC documents, with the same values', async () => {
    seenOpts.length = 0;
    const signal = new AbortController().signal;
    await both({ path: 'opts', type: 'query', input: 7, signal, batchIndex: 2 });
    const [ours, theirs] = seenOpts;
    for (const seen of [ours, theirs]) {
      expect(seen).toMatchObject({
        ctx: { who: 'alice' },
        type: 'query',
        path: 'opts',
        input: undefined,
        meta: { label: 'opts' },
        signal,
        batchIndex: 2,
        nextIsFunction: true,
      });
      expect(await (seen!.getRawInput as () => Promise<unknown>)()).toBe(7);
    }
    expect(Object.keys(ours!).sort()).toEqual([
      'batchIndex',
      'ctx',
      'getRawInput',
      'input',
      'meta',
      'nextIsFunction',
      'path',
      'signal',
      'type',
    ]);
  });

  test('a context that is a superset of the current one is passed on as it is; any other is merged into a new object', async () => {
    const ctx: Ctx = { who: 'alice' };
    const passed: object[] = [];
    const keep = t.middleware(({ ctx: current, next }) => {
      const wider = { ...current, extra: 1 };
      passed.push(wider);
      return next({ ctx: wider });
    });
    const router = t.router({ q: t.procedure.use(keep).query(({ ctx: seen }) => seen) });
    const result = await callProcedureChain({ ...base, router, ctx, path: 'q', type: 'query', input: undefined });
    expect(result).toBe(passed[0]!);

    const changed = t.middleware(({ next }) => next({ ctx: { who: 'bob' } }));
    const other = t.router({ q: t.procedure.use(changed).query(({ ctx: seen }) => seen) });
    const merged = await callProcedureChain({ ...base, router: other, ctx, path: 'q', type: 'query', input: undefined });
    expect(merged).toEqual({ who: 'bob' });
    expect(ctx).toEqual({ who: 'alice' });
  });

  test('a subscription answers its async iterable', async () => {
    const iterable = (await callProcedureChain({
      ...base,
      path: 'ticks',
      type: 'subscription',
      input: undefined,
    })) as AsyncIterable<number>;
    const values: number[] = [];
    for await (const value of iterable) values.push(value);
    expect(values).toEqual([1]);
  });
});
