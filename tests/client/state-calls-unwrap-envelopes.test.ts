import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { initTRPC } from '@trpc/server';
import { createStateCalls, isEnvelope, readErrorEnvelope } from '../../client/state/link';
import { createStateSocket, StateClientError } from '../../client/state/socket';
import { createTrpcProxy } from '../../client/state/trpc';
import type { ClientAction, Delta, Envelope, ErrorEnvelope } from '../../server/state/protocol';
import { startFakeTrpcServer, type FakeReply, type FakeTrpcServer } from './fake-trpc-server';

// A router used for its types only: what the server's inferred types say each procedure returns.
const t = initTRPC.create();
const typesOnlyRouter = t.router({
  notes: t.router({
    create: t.procedure.input((value) => value as { title: string }).mutation(() => ({ id: 1, title: '' })),
    count: t.procedure.query(() => 0),
    touch: t.procedure.mutation(() => undefined),
    remove: t.procedure.input((value) => value as { id: number }).mutation(() => true),
  }),
});
type TestRouter = typeof typesOnlyRouter;

/** `true` for `any`: a typed result that is `any` would make every assignment below pass unchecked. */
type IsAny<T> = 0 extends 1 & T ? true : false;

const envelope = <T>(data: T, delta: Delta = {}, actions: ClientAction[] = []): Envelope<T> => ({ data, delta, actions });

const replies: Record<string, FakeReply | ((input: unknown) => FakeReply)> = {
  'notes.create': (input) => ({
    data: envelope(
      { id: 7, title: (input as { title: string }).title },
      { notes: { count: 1, lastTitle: (input as { title: string }).title } },
      [
        { type: 'toast', kind: 'success', message: 'Created' },
        { type: 'navigate', to: '/notes/7' },
      ],
    ),
  }),
  'notes.count': { data: envelope(1) },
  // JSON drops `data: undefined`: a void handler's envelope has no data key.
  'notes.touch': { data: { delta: { notes: { touched: true } }, actions: [] } },
  'notes.remove': {
    error: {
      message: 'Not allowed',
      code: -32603,
      data: {
        code: 'FORBIDDEN',
        httpStatus: 403,
        statehouse: {
          delta: { notes: { denied: true } },
          actions: [{ type: 'toast', kind: 'error', message: 'You cannot delete this note.' }],
          fieldErrors: [{ field: 'id', code: 'forbidden', message: 'Not yours' }],
        } satisfies ErrorEnvelope,
      },
    },
  },
  'notes.raw': { data: { plain: true } },
  'notes.bare': { error: { message: 'Boom', code: -32603, data: { code: 'INTERNAL_SERVER_ERROR' } } },
};

let server: FakeTrpcServer;

beforeAll(() => {
  server = startFakeTrpcServer((call) => {
    const reply = replies[call.path];
    if (!reply) return { error: { message: 'No such procedure', code: -32004, data: { code: 'NOT_FOUND' } } };
    return typeof reply === 'function' ? reply(call.input) : reply;
  });
});
afterAll(() => server.stop());

function connect(runActions: (actions: readonly ClientAction[]) => Promise<void> = async () => {}) {
  const log: string[] = [];
  const deltas: Delta[] = [];
  const socket = createStateSocket({
    url: () => server.url,
    connectionParams: () => ({}),
    WebSocket: globalThis.__native.WebSocket,
    retryDelayMs: () => 10,
    onStatus: () => undefined,
  });
  const calls = createStateCalls(socket, {
    applyDelta: (delta) => {
      deltas.push(delta);
      log.push(`delta ${JSON.stringify(delta)}`);
    },
    runActions: async (actions) => {
      log.push(`actions ${actions.map((a) => a.type).join(',')}`);
      await runActions(actions);
    },
  });
  const trpc = createTrpcProxy<TestRouter>(calls);
  return { trpc, calls, log, deltas, close: () => socket.close() };
}

describe('the typed calls', () => {
  test('a mutation resolves with the envelope data, typed as the handler returns', async () => {
    const { trpc, close } = connect();
    const note: { id: number; title: string } = await trpc.notes.create.mutate({ title: 'Hello' });
    expect(note).toEqual({ id: 7, title: 'Hello' });
    const count: number = await trpc.notes.count.query();
    expect(count).toBe(1);
    // `bun run typecheck` holds these: neither the proxy nor a result is `any`, and a wrong call does not compile.
    const typed: [IsAny<typeof trpc>, IsAny<typeof trpc.notes>, IsAny<typeof note>, IsAny<typeof count>] = [false, false, false, false];
    expect(typed).toEqual([false, false, false, false]);
    const wrongCalls = () => {
      // @ts-expect-error a title is a string
      void trpc.notes.create.mutate({ title: 1 });
      // @ts-expect-error no such procedure
      void trpc.notes.rename.mutate({ title: 'x' });
      // @ts-expect-error a query has no mutate
      void trpc.notes.count.mutate();
      // @ts-expect-error the result is a number
      const text: Promise<string> = trpc.notes.count.query();
      return text;
    };
    expect(typeof wrongCalls).toBe('function');
    await close();
  });

  test('the delta is applied and the actions run before the call resolves', async () => {
    const { trpc, log, close } = connect();
    const result = trpc.notes.create.mutate({ title: 'Hi' }).then(() => log.push('resolved'));
    await result;
    expect(log).toEqual(['delta {"notes":{"count":1,"lastTitle":"Hi"}}', 'actions toast,navigate', 'resolved']);
    await close();
  });

  test('the call waits for slow actions to finish', async () => {
    const { trpc, log, close } = connect(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      log.push('actions done');
    });
    await trpc.notes.create.mutate({ title: 'Slow' });
    log.push('resolved');
    expect(log.slice(-2)).toEqual(['actions done', 'resolved']);
    await close();
  });

  test('a void procedure resolves with undefined and still applies its delta', async () => {
    const { trpc, deltas, close } = connect();
    // biome-ignore lint/suspicious/noConfusingVoidType: the procedure's declared result type is what is checked
    const value: void = await trpc.notes.touch.mutate();
    const typed: IsAny<typeof value> = false;
    expect(typed).toBe(false);
    expect(value).toBeUndefined();
    expect(deltas).toEqual([{ notes: { touched: true } }]);
    await close();
  });

  test('a failed call applies the error envelope, runs its actions, then rejects', async () => {
    const { trpc, log, close } = connect();
    const error = await trpc.notes.remove.mutate({ id: 1 }).catch((caught: unknown) => {
      log.push('rejected');
      return caught;
    });
    expect(log).toEqual(['delta {"notes":{"denied":true}}', 'actions toast', 'rejected']);
    expect(error).toBeInstanceOf(StateClientError);
    expect((error as StateClientError).message).toBe('Not allowed');
    expect((error as StateClientError).data?.code).toBe('FORBIDDEN');
    expect((error as StateClientError).data?.httpStatus).toBe(403);
    expect((error as StateClientError).shape?.code).toBe(-32603);
    expect(readErrorEnvelope(error)?.fieldErrors).toEqual([{ field: 'id', code: 'forbidden', message: 'Not yours' }]);
    await close();
  });

  test('an error without a statehouse envelope rejects untouched', async () => {
    const { calls, log, close } = connect();
    const error = await calls.request('mutation', 'notes.bare', undefined).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateClientError);
    expect(readErrorEnvelope(error)).toBeNull();
    expect(log).toEqual([]);
    await close();
  });

  test('a result that is no envelope passes through as it is', async () => {
    const { calls, log, close } = connect();
    expect(await calls.request('query', 'notes.raw', undefined)).toEqual({ plain: true });
    expect(log).toEqual([]);
    await close();
  });

  test('subscription data passes through untouched', async () => {
    const { calls, log, close } = connect();
    const received: unknown[] = [];
    const subscription = calls.subscribe('notes.feed', undefined, {
      onData: (data: unknown) => received.push(data),
    });
    const connection = await server.waitFor(() => server.connections.find((c) => [...c.subscriptions.values()].includes('notes.feed')));
    const push = envelope({ id: 1 }, { notes: { count: 2 } }, [{ type: 'reload' }]);
    connection.push('notes.feed', push);
    await server.waitFor(() => received.length > 0);
    expect(received).toEqual([push]);
    expect(log).toEqual([]);
    subscription.unsubscribe();
    await close();
  });
});

describe('isEnvelope and readErrorEnvelope', () => {
  test('isEnvelope wants a delta object and an actions array', () => {
    expect(isEnvelope({ data: 1, delta: {}, actions: [] })).toBe(true);
    expect(isEnvelope({ delta: {}, actions: [] })).toBe(true);
    expect(isEnvelope({ data: 1 })).toBe(false);
    expect(isEnvelope({ data: 1, delta: [], actions: [] })).toBe(false);
    expect(isEnvelope(null)).toBe(false);
  });

  test('readErrorEnvelope fills in a missing delta or actions list', () => {
    const error = { data: { statehouse: { retryAfter: 30 } } };
    expect(readErrorEnvelope(error)).toEqual({ retryAfter: 30, delta: {}, actions: [] });
    expect(readErrorEnvelope(new Error('plain'))).toBeNull();
    expect(readErrorEnvelope(undefined)).toBeNull();
  });
});
