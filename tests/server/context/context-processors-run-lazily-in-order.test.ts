import { afterEach, describe, expect, test } from 'bun:test';
import {
  contextOf,
  createAppRouter,
  languageProcessor,
  publicProcedure,
  request,
  router,
  siteProcessor,
  userSnapshotProcessor,
  withContext,
  type BuiltinContext,
  type ContextProcessor,
  type StatehouseConfigInput,
} from '../../../server';
import { createLogger, type Logger } from '../../../server/log';
import { startTestServer, type TestServer } from '../../helpers/server';

let calls = 0;
const seen: string[] = [];

function countingProcessor(): Record<string, unknown> {
  calls++;
  return { CALLS: calls };
}

async function slowProcessor(
  req: Parameters<ContextProcessor>[0],
  user: Parameters<ContextProcessor>[1],
): Promise<Record<string, unknown>> {
  await Bun.sleep(5);
  seen.push(`${req.eventPath}:${user.username || 'anonymous'}`);
  return { shared: 'second', b: 2 };
}

function firstProcessor(): Record<string, unknown> {
  return { shared: 'first', a: 1 };
}

function brokenProcessor(): Record<string, unknown> {
  throw new Error('lookup table missing');
}

const contextRouter = router({
  plain: publicProcedure.query(() => 'no context'),
  ask: publicProcedure.query(async ({ ctx }) => {
    const first = await ctx.request.loadContext();
    const again = await ctx.request.loadContext();
    const viaAccessor = await contextOf(ctx);
    return { context: ctx.request.context, sameObject: first === again && again === viaAccessor };
  }),
  before: publicProcedure.query(({ ctx }) => ({ keys: Object.keys(ctx.request.context) })),
  tryLoad: publicProcedure.query(async ({ ctx }) => {
    const error = await ctx.request.loadContext().then(
      () => null,
      (e: unknown) => (e as Error).message,
    );
    return { error, keys: Object.keys(ctx.request.context) };
  }),
  nested: publicProcedure.query(async () => {
    await Promise.resolve();
    return { fromAccessor: await contextOf(), fromProxy: await request.loadContext(), path: request.path };
  }),
  builtins: publicProcedure.use(withContext<BuiltinContext>()).query(({ ctx }) => {
    const { SITE_NAME, LANGUAGE_CODE, LANGUAGES, LANGUAGE_BIDI, user } = ctx.request.context;
    return { SITE_NAME, LANGUAGE_CODE, LANGUAGES, LANGUAGE_BIDI, user, isLive: (user as unknown) === ctx.user };
  }),
});

const withContextRouter = router({ only: publicProcedure.use(withContext()).query(({ ctx }) => ctx.request.context) });

const testRouter = createAppRouter({ ctx: contextRouter, opted: withContextRouter });

let server: TestServer;
afterEach(async () => {
  await server.stop();
});

async function start(config: StatehouseConfigInput, log?: Logger): Promise<TestServer> {
  calls = 0;
  seen.length = 0;
  return startTestServer(config, { router: testRouter, slices: [], ...(log ? { log } : {}) });
}

describe('context processors', () => {
  test('are not called for events that do not ask for the context', async () => {
    server = await start({ contextProcessors: [countingProcessor] });
    const ws = await server.open();
    for (let i = 0; i < 5; i++) await ws.ok('query', 'ctx.plain');
    expect((await ws.ok('query', 'ctx.before')).data).toEqual({ keys: [] });
    expect(calls).toBe(0);
    await ws.close();
  });

  test('run once per asking event, however often the handler asks', async () => {
    server = await start({ contextProcessors: [countingProcessor] });
    const ws = await server.open();
    const first = await ws.ok('query', 'ctx.ask');
    expect(first.data).toEqual({ context: { CALLS: 1 }, sameObject: true });
    await ws.ok('query', 'ctx.plain');
    expect((await ws.ok('query', 'ctx.ask')).data.context).toEqual({ CALLS: 2 });
    expect(calls).toBe(2);
    await ws.close();
  });

  test('merge in config order, async ones awaited, later keys winning', async () => {
    server = await start({ contextProcessors: [firstProcessor, slowProcessor] });
    const alice = await server.userWithSession('alice');
    const ws = await server.open({ cookie: alice.cookie });
    expect((await ws.ok('query', 'ctx.ask')).data.context).toEqual({ shared: 'second', a: 1, b: 2 });
    expect(seen).toEqual(['ctx.ask:alice']);
    await ws.close();
  });

  test('withContext() loads them before the handler for a procedure that opts in', async () => {
    server = await start({ contextProcessors: [countingProcessor] });
    const ws = await server.open();
    expect((await ws.ok('query', 'opted.only')).data).toEqual({ CALLS: 1 });
    await ws.close();
  });

  test('contextOf() and the request accessor reach the event from nested helpers', async () => {
    server = await start({ contextProcessors: [countingProcessor] });
    const ws = await server.open({ path: '/here' });
    expect((await ws.ok('query', 'ctx.nested')).data).toEqual({ fromAccessor: { CALLS: 1 }, fromProxy: { CALLS: 1 }, path: '/here' });
    await ws.close();
  });

  test('outside an event the context is empty, without throwing', async () => {
    server = await start({});
    expect(await contextOf()).toEqual({});
    expect(await request.loadContext()).toEqual({});
  });
});

describe('a failing context processor', () => {
  function capture(): { lines: string[]; log: Logger } {
    const lines: string[] = [];
    return { lines, log: createLogger('error', (line) => lines.push(line)) };
  }

  test('fails the event with INTERNAL_SERVER_ERROR naming the processor, and logs it with the event path', async () => {
    const { lines, log } = capture();
    server = await start({ contextProcessors: [firstProcessor, brokenProcessor] }, log);
    const ws = await server.open();
    const reply = await ws.call('query', 'ctx.ask');
    expect(reply.error?.data.code).toBe('INTERNAL_SERVER_ERROR');
    expect(reply.error?.message).toBe('Could not build the request context: context processor "brokenProcessor" failed.');
    const line = lines.find((l) => l.includes('context processor failed'));
    expect(line).toContain('processor=brokenProcessor');
    expect(line).toContain('event=ctx.ask');
    expect(line).toContain('lookup table missing');
    await ws.close();
  });

  test('an anonymous processor is named by its position', async () => {
    const { lines, log } = capture();
    const anonymous: ContextProcessor[] = [firstProcessor, (() => () => ({}))(), () => Promise.reject(new Error('boom'))];
    server = await start({ contextProcessors: anonymous }, log);
    const ws = await server.open();
    const reply = await ws.call('query', 'opted.only');
    expect(reply.error?.message).toContain('"#2"');
    expect(lines.find((l) => l.includes('context processor failed'))).toContain('processor=#2');
    await ws.close();
  });

  test('a processor returning something other than an object fails the same way', async () => {
    const { log } = capture();
    server = await start(
      {
        contextProcessors: [
          function notAnObject() {
            return null as unknown as Record<string, unknown>;
          },
        ],
      },
      log,
    );
    const ws = await server.open();
    expect((await ws.call('query', 'ctx.ask')).error?.message).toContain('"notAnObject"');
    await ws.close();
  });

  test('leaves no partial context on the request, and the socket stays usable', async () => {
    const { log } = capture();
    server = await start({ contextProcessors: [firstProcessor, brokenProcessor] }, log);
    const ws = await server.open();
    expect((await ws.ok('query', 'ctx.tryLoad')).data).toEqual({
      error: 'Could not build the request context: context processor "brokenProcessor" failed.',
      keys: [],
    });
    expect((await ws.ok('query', 'ctx.plain')).data).toBe('no context');
    await ws.close();
  });
});

describe('built-in processors', () => {
  const builtins: StatehouseConfigInput = {
    siteName: 'Acme Notes',
    languages: ['en', 'ar'],
    contextProcessors: [siteProcessor, languageProcessor, userSnapshotProcessor],
  };

  test('give the site name, the language in both directions and a JSON-safe user snapshot', async () => {
    server = await start(builtins);
    const alice = await server.userWithSession('alice', { staff: true });
    const ws = await server.open({ cookie: alice.cookie, headers: { 'accept-language': 'ar-EG,en;q=0.5' } });
    const { data } = await ws.ok('query', 'ctx.builtins');
    expect(data).toMatchObject({
      SITE_NAME: 'Acme Notes',
      LANGUAGE_CODE: 'ar',
      LANGUAGES: [
        ['en', 'English'],
        ['ar', 'العربية'],
      ],
      LANGUAGE_BIDI: true,
      isLive: false,
    });
    expect(data.user).toEqual({
      id: alice.userId,
      username: 'alice',
      email: '',
      firstName: '',
      lastName: '',
      isAuthenticated: true,
      isActive: true,
      isStaff: true,
      isSuperuser: false,
      dateJoined: expect.any(Number),
      lastLogin: null,
    });
    await ws.close();
  });

  test('an anonymous English visitor gets a left-to-right context and an anonymous snapshot', async () => {
    server = await start(builtins);
    const ws = await server.open({ headers: { 'accept-language': 'en-GB' } });
    const { data } = await ws.ok('query', 'ctx.builtins');
    expect(data).toMatchObject({ LANGUAGE_CODE: 'en', LANGUAGE_BIDI: false, user: { id: null, isAuthenticated: false } });
    await ws.close();
  });
});
