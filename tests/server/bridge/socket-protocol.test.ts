import { afterEach, describe, expect, test } from 'bun:test';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { initTRPC, tracked, TRPCError } from '@trpc/server';
import type { Server } from 'bun';
import { z } from 'zod';
import { Connection } from '../../../server/bridge/connection';
import { SocketProtocol, type SocketConnection, type SocketErrorInfo } from '../../../server/bridge/socket-protocol';

interface Ctx {
  tab: string;
}

const t = initTRPC.context<Ctx>().create({
  errorFormatter: ({ shape }) => ({ ...shape, data: { ...shape.data, stack: undefined, formatted: true } }),
});

/** What the subscriptions saw: their stops, by name. */
const stopped: string[] = [];

const router = t.router({
  hello: t.procedure.input(z.object({ name: z.string() })).query(({ input, ctx }) => `hello ${input.name} from ${ctx.tab}`),
  add: t.procedure.input(z.object({ a: z.number(), b: z.number() })).mutation(({ input }) => input.a + input.b),
  fail: t.procedure.query(() => {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'no' });
  }),
  crash: t.procedure.query(() => {
    throw new Error('secret detail');
  }),
  stream: t.procedure.query(async function* () {
    yield 1;
  }),
  ticks: t.procedure.input(z.object({ from: z.number(), lastEventId: z.string().optional() })).subscription(async function* ({
    input,
    signal,
  }) {
    try {
      let n = input.lastEventId ? Number(input.lastEventId) + 1 : input.from;
      while (!signal?.aborted) {
        yield tracked(String(n), { n });
        n++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      // Named by where it started: a generator another test left running cannot pass for this one.
      stopped.push(`ticks:${input.from}`);
    }
  }),
  /** Waits forever between values: only the stop can end it. */
  quiet: t.procedure.subscription(async function* () {
    try {
      yield 'first';
      await new Promise(() => {});
    } finally {
      stopped.push('quiet');
    }
  }),
  few: t.procedure.subscription(async function* () {
    yield 'a';
    yield 'b';
  }),
  broken: t.procedure.subscription(async function* () {
    yield 'before';
    throw new TRPCError({ code: 'CONFLICT', message: 'went wrong' });
  }),
  notIterable: t.procedure.subscription((() => 'plain') as never),
  /** A tab's real push stream (a push source: the protocol hands it a sink instead of pulling it). */
  pushed: t.procedure.input(z.object({ fail: z.boolean() })).subscription(({ input }) => {
    const conn = new Connection({
      headers: new Headers(),
      ip: '127.0.0.1',
      secure: false,
      origin: 'http://127.0.0.1',
      messageBurst: 10,
      messagesPerSecond: 10,
    });
    pushedTabs.push(conn);
    const first = input.fail ? Promise.reject(new TRPCError({ code: 'CONFLICT', message: 'no first push' })) : Promise.resolve(push(0));
    first.catch(() => {});
    return conn.pushes(undefined, first);
  }),
  /** Reads its signal only after its first value. */
  late: t.procedure.subscription(async function* (opts) {
    yield 'first';
    await new Promise((resolve) => setTimeout(resolve, 20));
    lateSignals.push(opts.signal!);
  }),
});

const push = (n: number) => ({ delta: { s: { n } }, actions: [] });
/** The connections of the `pushed` subscriptions, in order. */
const pushedTabs: Connection[] = [];
/** The signals `late` read. */
const lateSignals: AbortSignal[] = [];

let server: Server<{ conn: SocketConnection<Ctx> | null; expect: boolean; fail: boolean }> | null = null;
const errors: SocketErrorInfo<Ctx>[] = [];

function start(maxBatchSize = 3) {
  const protocol = new SocketProtocol<Ctx>({ router, maxBatchSize, onError: (info) => errors.push(info) });
  server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request, srv) {
      const url = new URL(request.url);
      const ok = srv.upgrade(request, {
        data: { conn: null, expect: url.searchParams.get('connectionParams') === '1', fail: url.searchParams.has('fail') },
      });
      return ok ? undefined : new Response('upgrade', { status: 400 });
    },
    websocket: {
      open(ws) {
        ws.data.conn = protocol.connect(ws, ws.data.expect, {
          async createContext(params) {
            if (ws.data.fail) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'no context' });
            return { tab: params?.tab ?? 'no params' };
          },
        });
      },
      message(ws, message) {
        ws.data.conn?.message(message);
      },
      close(ws) {
        ws.data.conn?.close();
      },
    },
  });
  return server.port;
}

afterEach(() => {
  server?.stop(true);
  server = null;
  errors.length = 0;
  stopped.length = 0;
  pushedTabs.length = 0;
  lateSignals.length = 0;
});

/** A raw socket that keeps every frame it gets. */
async function raw(query = '') {
  const ws = new WebSocket(`ws://127.0.0.1:${server!.port}/trpc${query}`);
  const frames: string[] = [];
  let closed = false;
  let waiter: (() => void) | null = null;
  ws.onmessage = (event) => {
    frames.push(String(event.data));
    waiter?.();
  };
  ws.onclose = () => {
    closed = true;
    waiter?.();
  };
  await new Promise((resolve) => (ws.onopen = resolve));
  /** Waits until `count` frames arrived (or the socket closed). */
  async function until(count: number): Promise<any[]> {
    while (frames.length < count && !closed) await new Promise<void>((resolve) => (waiter = resolve));
    return frames.slice(0, count).map((f) => (f === 'PONG' ? f : JSON.parse(f)));
  }
  return { ws, frames, until, isClosed: () => closed };
}

const call = (id: number | string | null, method: string, path: string, input?: unknown, extra: object = {}) =>
  JSON.stringify({ id, jsonrpc: '2.0', method, params: { path, input, ...extra } });

describe('queries and mutations', () => {
  test('answer with the data under the request id and jsonrpc', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'query', 'hello', { name: 'ada' }));
    s.ws.send(call('m', 'mutation', 'add', { a: 2, b: 3 }));
    const replies = await s.until(2);
    expect(replies).toContainEqual({ id: 1, jsonrpc: '2.0', result: { type: 'data', data: 'hello ada from no params' } });
    expect(replies).toContainEqual({ id: 'm', jsonrpc: '2.0', result: { type: 'data', data: 5 } });
  });

  test('the context is built from the connection params frame, once', async () => {
    start();
    const s = await raw('?connectionParams=1');
    s.ws.send(JSON.stringify({ method: 'connectionParams', data: { tab: 'tab-7' } }));
    s.ws.send(call(1, 'query', 'hello', { name: 'a' }));
    s.ws.send(call(2, 'query', 'hello', { name: 'b' }));
    const replies = await s.until(2);
    expect(replies.map((r) => r.result.data).sort()).toEqual(['hello a from tab-7', 'hello b from tab-7']);
  });

  test('errors go through the errorFormatter and onError; an internal error keeps its cause out of the message', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'query', 'fail'));
    const [forbidden] = await s.until(1);
    expect(forbidden).toMatchObject({ id: 1, error: { message: 'no', data: { code: 'FORBIDDEN', formatted: true, path: 'fail' } } });
    s.ws.send(call(2, 'query', 'crash'));
    const [, crash] = await s.until(2);
    expect(crash.error.data.code).toBe('INTERNAL_SERVER_ERROR');
    expect(errors.map((e) => [e.path, e.error.code])).toEqual([
      ['fail', 'FORBIDDEN'],
      ['crash', 'INTERNAL_SERVER_ERROR'],
    ]);
  });

  test('bad input, an unknown path and a query returning a stream are typed errors', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'query', 'hello', { name: 42 }));
    s.ws.send(call(2, 'query', 'nope'));
    s.ws.send(call(3, 'query', 'stream'));
    const byId = Object.fromEntries((await s.until(3)).map((r) => [r.id, r.error.data.code]));
    expect(byId).toEqual({ 1: 'BAD_REQUEST', 2: 'NOT_FOUND', 3: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  test('PING gets PONG', async () => {
    start();
    const s = await raw();
    s.ws.send('PING');
    expect(await s.until(1)).toEqual(['PONG']);
  });
});

describe('refused frames', () => {
  test('malformed JSON, a message that is no call and a missing id answer with id null', async () => {
    start();
    const s = await raw();
    s.ws.send('{not json');
    s.ws.send(JSON.stringify({ id: 1, method: 'explode', params: {} }));
    s.ws.send(call(null, 'query', 'hello', { name: 'x' }));
    const replies = await s.until(3);
    for (const reply of replies) expect(reply.id).toBeNull();
    expect(replies.map((r) => r.error.data.code)).toEqual(['PARSE_ERROR', 'PARSE_ERROR', 'PARSE_ERROR']);
    // The connection goes on.
    s.ws.send(call(9, 'query', 'hello', { name: 'y' }));
    expect((await s.until(4))[3]).toMatchObject({ id: 9, result: { data: 'hello y from no params' } });
  });

  test('a batch over the limit is refused whole, each call under its own id', async () => {
    start(2);
    const s = await raw();
    s.ws.send(`[${[1, 2, 3].map((id) => call(id, 'query', 'hello', { name: 'x' })).join(',')}]`);
    const replies = await s.until(3);
    expect(replies.map((r) => [r.id, r.error.data.code])).toEqual([
      [1, 'BAD_REQUEST'],
      [2, 'BAD_REQUEST'],
      [3, 'BAD_REQUEST'],
    ]);
    s.ws.send(`[${[4, 5].map((id) => call(id, 'query', 'hello', { name: 'x' })).join(',')}]`);
    expect(
      (await s.until(5))
        .slice(3)
        .map((r) => r.id)
        .sort(),
    ).toEqual([4, 5]);
  });

  test('a context that cannot be built is answered with its error, then the socket closes', async () => {
    start();
    const s = await raw('?fail=1');
    s.ws.send(call(1, 'query', 'hello', { name: 'x' }));
    const replies = await s.until(2);
    expect(replies[0]).toMatchObject({ id: null, error: { data: { code: 'UNAUTHORIZED' } } });
    // The call is answered with the same error if it arrived before the close
    // (on a loaded machine the close can come first); it never runs.
    if (replies[1] !== undefined) expect(replies[1]).toMatchObject({ id: 1, error: { data: { code: 'UNAUTHORIZED' } } });
    while (!s.isClosed()) await Bun.sleep(5);
    expect(s.frames.length).toBeLessThanOrEqual(2);
  });

  test('malformed connection params are a parse error and close the socket', async () => {
    start();
    const s = await raw('?connectionParams=1');
    s.ws.send('not json');
    const [reply] = await s.until(1);
    expect(reply).toMatchObject({ id: null, error: { data: { code: 'PARSE_ERROR' } } });
    while (!s.isClosed()) await Bun.sleep(5);
  });
});

describe('subscriptions', () => {
  test('started, tracked data, and stopped after subscription.stop; the generator is finished', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'ticks', { from: 10 }));
    const [started, first, second] = await s.until(3);
    expect(started).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'started' } });
    expect(first).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'data', id: '10', data: { id: '10', data: { n: 10 } } } });
    expect(second.result.id).toBe('11');
    s.ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    while (!s.frames.some((f) => f.includes('"stopped"'))) await Bun.sleep(5);
    expect(stopped).toContain('ticks:10');
  });

  test('lastEventId resumes after the last event seen', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'ticks', { from: 0 }, { lastEventId: '41' }));
    const [, first] = await s.until(2);
    expect(first.result.id).toBe('42');
  });

  test('a stop is answered at once, even while the generator waits on something else', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'quiet'));
    await s.until(2);
    s.ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    const [, , stop] = await s.until(3);
    expect(stop).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'stopped' } });
    // The id is free again.
    s.ws.send(call(1, 'subscription', 'few'));
    expect((await s.until(4))[3]).toMatchObject({ id: 1, result: { type: 'started' } });
  });

  test('several subscriptions on one socket stop one by one, each by its own id', async () => {
    start();
    const s = await raw();
    for (const id of [1, 2, 3]) s.ws.send(call(id, 'subscription', 'quiet'));
    await s.until(6); // started and a first value each
    s.ws.send(JSON.stringify({ id: 2, method: 'subscription.stop' }));
    expect((await s.until(7))[6]).toEqual({ id: 2, jsonrpc: '2.0', result: { type: 'stopped' } });
    s.ws.send(call(3, 'subscription', 'quiet'));
    expect((await s.until(8))[7]).toMatchObject({ id: 3, error: { data: { code: 'BAD_REQUEST' } } });
    s.ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    expect((await s.until(9))[8]).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'stopped' } });
    // Both ids are free again; 3 still runs until the socket closes.
    s.ws.send(call(1, 'subscription', 'quiet'));
    s.ws.send(call(2, 'subscription', 'quiet'));
    const again = (await s.until(13)).slice(9);
    expect(again.map((r) => `${r.id} ${r.result?.type}`).sort()).toEqual(['1 data', '1 started', '2 data', '2 started']);
    s.ws.send(call(3, 'subscription', 'quiet'));
    expect((await s.until(14))[13]).toMatchObject({ id: 3, error: { data: { code: 'BAD_REQUEST' } } });
  });

  test('a closed socket stops every subscription', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'ticks', { from: 200 }));
    s.ws.send(call(2, 'subscription', 'ticks', { from: 300 }));
    await s.until(4);
    s.ws.close();
    while (!(stopped.includes('ticks:200') && stopped.includes('ticks:300'))) await Bun.sleep(5);
  });

  test('a finished generator ends with stopped', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'few'));
    const replies = await s.until(4);
    expect(replies.map((r) => r.result.type)).toEqual(['started', 'data', 'data', 'stopped']);
  });

  test('a generator that throws sends the error, then stopped', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'broken'));
    const replies = await s.until(4);
    expect(replies[1].result.data).toBe('before');
    expect(replies[2].error.data.code).toBe('CONFLICT');
    expect(replies[3].result.type).toBe('stopped');
  });

  test('a duplicate id and a result that is no generator are refused', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'quiet'));
    await s.until(2);
    s.ws.send(call(1, 'subscription', 'quiet'));
    s.ws.send(call(2, 'subscription', 'notIterable'));
    const replies = (await s.until(4)).slice(2);
    expect(replies.map((r) => [r.id, r.error.data.code]).sort()).toEqual([
      [1, 'BAD_REQUEST'],
      [2, 'INTERNAL_SERVER_ERROR'],
    ]);
  });
});

describe('subscriptions over a push source', () => {
  test('started, the pushes in order, stopped after subscription.stop; the stream is ended', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'pushed', { fail: false }));
    const [started, first] = await s.until(2);
    expect(started).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'started' } });
    expect(first).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'data', data: push(0) } });
    const tab = pushedTabs[0]!;
    tab.push(push(1).delta, []);
    tab.push(push(2).delta, []);
    const [, , one, two] = await s.until(4);
    expect([one.result.data, two.result.data]).toEqual([push(1), push(2)]);
    s.ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    expect((await s.until(5))[4]).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'stopped' } });
    // Ended: a later push reaches no one, and the id is free again.
    tab.push(push(3).delta, []);
    s.ws.send(call(1, 'subscription', 'few'));
    const after = (await s.until(9)).slice(5);
    expect(after.map((r) => r.result.type)).toEqual(['started', 'data', 'data', 'stopped']);
  });

  test('a stream that ends by itself ends with stopped; a failed first push sends the error, then stopped', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'pushed', { fail: false }));
    await s.until(2);
    pushedTabs[0]!.close();
    expect((await s.until(3))[2]).toEqual({ id: 1, jsonrpc: '2.0', result: { type: 'stopped' } });
    s.ws.send(call(2, 'subscription', 'pushed', { fail: true }));
    const [started, failed, end] = (await s.until(6)).slice(3);
    expect(started.result.type).toBe('started');
    expect(failed).toMatchObject({ id: 2, error: { message: 'no first push', data: { code: 'CONFLICT' } } });
    expect(end).toEqual({ id: 2, jsonrpc: '2.0', result: { type: 'stopped' } });
    expect(errors.map((e) => e.error.code)).toEqual(['CONFLICT']);
  });

  test('a closed socket ends the stream', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'pushed', { fail: false }));
    await s.until(2);
    s.ws.close();
    await Bun.sleep(50);
    // A stream still running would take this push; a returned one leaves it queued.
    pushedTabs[0]!.push(push(1).delta, []);
    await Bun.sleep(0);
    expect((await pushedTabs[0]!.pushes(undefined).next()).value).toEqual(push(1));
  });

  test('a signal first read after the stop is made aborted', async () => {
    start();
    const s = await raw();
    s.ws.send(call(1, 'subscription', 'late'));
    await s.until(2);
    s.ws.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    await s.until(3);
    while (lateSignals.length === 0) await Bun.sleep(5);
    expect(lateSignals[0]!.aborted).toBe(true);
  });
});

describe('with @trpc/client', () => {
  test('wsLink queries, mutates, subscribes and unsubscribes through the protocol', async () => {
    const port = start();
    const wsClient = createWSClient({ url: `ws://127.0.0.1:${port}/trpc`, connectionParams: () => ({ tab: 'client-tab' }) });
    const client = createTRPCClient<typeof router>({ links: [wsLink({ client: wsClient })] });
    try {
      expect(await client.hello.query({ name: 'b' })).toBe('hello b from client-tab');
      expect(await client.add.mutate({ a: 1, b: 2 })).toBe(3);
      await expect(client.fail.query()).rejects.toMatchObject({ message: 'no', data: { code: 'FORBIDDEN', formatted: true } });
      const seen: number[] = [];
      await new Promise<void>((resolve, reject) => {
        const sub = client.ticks.subscribe(
          { from: 1 },
          {
            onData: (event) => {
              seen.push(event.data.n);
              if (seen.length === 3) {
                sub.unsubscribe();
                resolve();
              }
            },
            onError: reject,
          },
        );
      });
      expect(seen).toEqual([1, 2, 3]);
      while (!stopped.includes('ticks:1')) await Bun.sleep(5);
    } finally {
      wsClient.close();
    }
  });
});
