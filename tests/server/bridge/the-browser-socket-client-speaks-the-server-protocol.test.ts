import { afterEach, describe, expect, test } from 'bun:test';
import { initTRPC, tracked, TRPCError } from '@trpc/server';
import type { Server, ServerWebSocket } from 'bun';
import { z } from 'zod';
import { createStateCalls } from '../../../client/state/link';
import { createStateSocket, StateClientError, type ConnectionStatus, type StateSocketOptions } from '../../../client/state/socket';
import { createTrpcProxy } from '../../../client/state/trpc';
import { SocketProtocol, type SocketConnection } from '../../../server/bridge/socket-protocol';
import type { ClientAction, Delta } from '../../../server/shared';
import { waitFor } from '../../helpers/wait-for';

interface Ctx {
  tab: string;
}

const t = initTRPC.context<Ctx>().create({
  // As the app's formatter does: a refusal carries its state envelope in `data.statehouse`.
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    data: {
      ...shape.data,
      stack: undefined,
      statehouse:
        error.code === 'FORBIDDEN'
          ? { delta: { notes: { denied: true } }, actions: [{ type: 'toast', kind: 'error', message: 'Not yours.' }] }
          : undefined,
    },
  }),
});

/** Mutations the server ran, by name: a call lost with its socket must not run twice. */
const ran: string[] = [];
/** Releases the `slow` mutations waiting. */
let release: () => void = () => undefined;
let gate = new Promise<void>((resolve) => (release = resolve));

const router = t.router({
  whoami: t.procedure.query(({ ctx }) => ctx.tab),
  notes: t.router({
    create: t.procedure.input(z.object({ title: z.string() })).mutation(({ input }) => {
      ran.push(`create ${input.title}`);
      return { data: { id: 7, title: input.title }, delta: { notes: { last: input.title } }, actions: [] };
    }),
    remove: t.procedure.input(z.object({ id: z.number() })).mutation(() => {
      throw new TRPCError({ code: 'FORBIDDEN', message: 'Not allowed' });
    }),
  }),
  slow: t.procedure.mutation(async () => {
    ran.push('slow');
    await gate;
    return 'done';
  }),
  ticks: t.procedure.input(z.object({ lastEventId: z.string().optional() }).optional()).subscription(async function* ({ input, signal }) {
    let n = input?.lastEventId ? Number(input.lastEventId) + 1 : 1;
    while (!signal?.aborted) {
      yield tracked(String(n), { n });
      n++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }),
});
type TestRouter = typeof router;

interface SocketData {
  conn: SocketConnection<Ctx> | null;
  params: boolean;
}

/** The test server: each socket it accepted, the params frames it got, and knobs to misbehave. */
const state = {
  sockets: [] as ServerWebSocket<SocketData>[],
  paramsFrames: [] as string[],
  pings: 0,
  /** Leaves PINGs unanswered, as a server that hung would. */
  mute: false,
  /** Refuses every socket's context, as a server would a bad session. */
  refuse: false,
};
let server: Server<SocketData> | null = null;
const clients: { close(): Promise<void> }[] = [];

function start(): string {
  const protocol = new SocketProtocol<Ctx>({ router, maxBatchSize: 10 });
  server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request, srv) {
      const params = new URL(request.url).searchParams.get('connectionParams') === '1';
      return srv.upgrade(request, { data: { conn: null, params } }) ? undefined : new Response('upgrade', { status: 400 });
    },
    websocket: {
      data: {} as SocketData,
      open(ws) {
        state.sockets.push(ws);
        ws.data.conn = protocol.connect(ws, ws.data.params, {
          createContext(params) {
            if (state.refuse) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'no context' });
            return { tab: params?.tab ?? 'no params' };
          },
        });
      },
      message(ws, message) {
        const text = String(message);
        if (text === 'PING') {
          state.pings++;
          if (state.mute) return;
        } else if (text.includes('"connectionParams"')) state.paramsFrames.push(text);
        ws.data.conn?.message(text);
      },
      close(ws) {
        ws.data.conn?.close();
      },
    },
  });
  return `ws://127.0.0.1:${server.port}/trpc`;
}

afterEach(async () => {
  release();
  await Promise.all(clients.splice(0).map((client) => client.close()));
  server?.stop(true);
  server = null;
  ran.length = 0;
  gate = new Promise<void>((resolve) => (release = resolve));
  Object.assign(state, { sockets: [], paramsFrames: [], pings: 0, mute: false, refuse: false });
});

/** Sockets the server still holds open. */
const openSockets = () => state.sockets.filter((ws) => ws.readyState === 1);

function connect(url: string | (() => Promise<string>), options: Partial<StateSocketOptions> = {}) {
  const statuses: ConnectionStatus[] = ['connecting'];
  const deltas: Delta[] = [];
  const actionLists: (readonly ClientAction[])[] = [];
  const attempts: number[] = [];
  let tab = 'tab-1';
  const socket = createStateSocket({
    url: typeof url === 'string' ? () => url : url,
    connectionParams: () => ({ tab }),
    retryDelayMs: (attempt) => {
      attempts.push(attempt);
      return 5;
    },
    onStatus: (status) => statuses.push(status),
    ...options,
  });
  clients.push(socket);
  const calls = createStateCalls(socket, {
    applyDelta: (delta) => deltas.push(delta),
    runActions: async (list) => actionLists.push(list),
  });
  const trpc = createTrpcProxy<TestRouter>(calls);
  return { socket, calls, trpc, statuses, deltas, actionLists, attempts, setTab: (next: string) => (tab = next) };
}

/** Collects a `ticks` subscription's numbers and how often it was started. */
function watchTicks(client: ReturnType<typeof connect>) {
  const seen: number[] = [];
  let started = 0;
  let stopped = 0;
  const errors: unknown[] = [];
  const sub = client.trpc.ticks.subscribe(undefined, {
    onStarted: () => started++,
    onData: (event) => seen.push((event as unknown as { data: { n: number } }).data.n),
    onError: (error) => errors.push(error),
    onStopped: () => stopped++,
  });
  return { seen, sub, errors, started: () => started, stopped: () => stopped };
}

/** Every tick from 1 to the last seen, each once and in order. */
const gapless = (seen: number[]) => seen.every((n, i) => n === i + 1);

describe('calls', () => {
  test('the connection params go first, and the context is built from them', async () => {
    const client = connect(start());
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    expect(JSON.parse(state.paramsFrames[0]!)).toEqual({ method: 'connectionParams', data: { tab: 'tab-1' } });
    expect(client.statuses).toEqual(['connecting', 'open']);
  });

  test('a mutation resolves with the envelope data after its delta is applied', async () => {
    const client = connect(start());
    // This router returns the envelope itself (the app's server wraps the handler's value in it).
    const note: unknown = await client.trpc.notes.create.mutate({ title: 'Hi' });
    expect(note).toEqual({ id: 7, title: 'Hi' });
    expect(client.deltas).toEqual([{ notes: { last: 'Hi' } }]);
  });

  test('a refusal rejects with the error shape, after its envelope is applied and its actions ran', async () => {
    const client = connect(start());
    const error = await client.trpc.notes.remove.mutate({ id: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StateClientError);
    const refused = error as StateClientError;
    expect(refused.message).toBe('Not allowed');
    expect(refused.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, path: 'notes.remove' });
    expect(refused.shape?.code).toBe(-32003);
    expect(refused.data?.statehouse?.actions).toEqual([{ type: 'toast', kind: 'error', message: 'Not yours.' }]);
    expect(client.deltas).toEqual([{ notes: { denied: true } }]);
    expect(client.actionLists).toEqual([[{ type: 'toast', kind: 'error', message: 'Not yours.' }]]);
  });

  test('bad input is a BAD_REQUEST with the server message', async () => {
    const client = connect(start());
    const error = (await client.calls
      .request('mutation', 'notes.create', { title: 1 })
      .catch((caught: unknown) => caught)) as StateClientError;
    expect(error.data?.code).toBe('BAD_REQUEST');
  });

  test('the url is awaited: calls made meanwhile wait for the socket', async () => {
    const url = start();
    let give: (value: string) => void = () => undefined;
    const client = connect(() => new Promise<string>((resolve) => (give = resolve)));
    const answer = client.trpc.whoami.query();
    await Bun.sleep(20);
    expect(state.sockets).toHaveLength(0);
    give(url);
    expect(await answer).toBe('tab-1');
  });
});

describe('a lost socket', () => {
  test('a mutation in flight fails and is not sent again; a call made while down waits for the next socket', async () => {
    const client = connect(start());
    await client.trpc.whoami.query();
    const inFlight = client.calls.request('mutation', 'slow', undefined).catch((caught: unknown) => caught);
    await waitFor(() => ran.includes('slow'), { what: 'the slow mutation to run' });
    client.setTab('tab-2');
    state.sockets[0]!.close(1012, 'restarting');
    const error = (await inFlight) as StateClientError;
    expect(error).toBeInstanceOf(StateClientError);
    expect(error.message).toBe('WebSocket closed');
    expect(error.data).toBeUndefined();
    expect(client.statuses.at(-1)).toBe('connecting');
    // Sent while down: it goes on the next socket, whose params are read afresh.
    expect(await client.trpc.whoami.query()).toBe('tab-2');
    expect(client.statuses).toEqual(['connecting', 'open', 'connecting', 'open']);
    expect(ran.filter((name) => name === 'slow')).toHaveLength(1);
    expect(client.attempts).toEqual([0]);
  });

  test('a subscription is sent again with the id of its last event, and goes on without gap or repeat', async () => {
    const client = connect(start());
    const ticks = watchTicks(client);
    await waitFor(() => ticks.seen.length >= 3, { what: 'three ticks' });
    state.sockets[0]!.close(1012, 'restarting');
    await waitFor(() => state.sockets.length === 2 && ticks.seen.length >= 10, { what: 'ticks on the second socket' });
    expect(gapless(ticks.seen)).toBe(true);
    expect(ticks.started()).toBe(2);
    ticks.sub.unsubscribe();
    // The stop reached the server: the generator's socket is quiet, and the client's stays open.
    const count = ticks.seen.length;
    await Bun.sleep(30);
    expect(ticks.seen.length).toBe(count);
    expect(openSockets()).toHaveLength(1);
  });

  test('reconnect() closes the socket and a new one opens with fresh params', async () => {
    const client = connect(start());
    await client.trpc.whoami.query();
    client.setTab('tab-3');
    client.socket.reconnect();
    await waitFor(() => state.sockets.length === 2 && client.statuses.at(-1) === 'open', { what: 'the second socket' });
    expect(await client.trpc.whoami.query()).toBe('tab-3');
  });

  test('a server refusing the context carries the backoff on instead of starting over', async () => {
    state.refuse = true;
    const client = connect(start());
    // As with tRPC's client: a call on the refused socket hears the refusal.
    const refused = (await client.trpc.whoami.query().catch((caught: unknown) => caught)) as StateClientError;
    expect(refused.data?.code).toBe('UNAUTHORIZED');
    await waitFor(() => client.attempts.length >= 3, { what: 'three reconnect attempts' });
    expect(client.attempts.slice(0, 3)).toEqual([0, 1, 2]);
    state.refuse = false;
    // A call may still meet a refused socket closing; once one is accepted, calls are answered.
    await waitFor(async () => (await client.trpc.whoami.query().catch(() => null)) === 'tab-1', { what: 'an accepted socket' });
  });

  test('keep-alive: a socket whose server stops answering PINGs is replaced; an answering one is kept', async () => {
    const client = connect(start(), { keepAlive: { enabled: true, intervalMs: 30, pongTimeoutMs: 30 } });
    await client.trpc.whoami.query();
    await waitFor(() => state.pings >= 3, { what: 'three PINGs' });
    expect(state.sockets).toHaveLength(1);
    state.mute = true;
    await waitFor(() => state.sockets.length === 2, { what: 'a second socket after the silence' });
    state.mute = false;
    expect(await client.trpc.whoami.query()).toBe('tab-1');
  });
});

describe("the server's reconnect notification", () => {
  test('a new socket takes over; the subscription moves without gap or repeat; a call in flight is answered on the old one', async () => {
    const client = connect(start());
    const ticks = watchTicks(client);
    await waitFor(() => ticks.seen.length >= 3, { what: 'three ticks' });
    const inFlight = client.calls.request('mutation', 'slow', undefined);
    await waitFor(() => ran.includes('slow'), { what: 'the slow mutation to run' });
    const [old] = state.sockets;
    old!.send(JSON.stringify({ id: null, method: 'reconnect' }));
    await waitFor(() => state.sockets.length === 2 && state.paramsFrames.length === 2, { what: 'the new socket' });
    const seenAtMove = ticks.seen.length;
    await waitFor(() => ticks.seen.length >= seenAtMove + 10, { what: 'ticks after the move' });
    // The old socket stays open while it still owes the mutation its answer.
    expect(old!.readyState).toBe(1);
    release();
    expect(await inFlight).toBe('done');
    await waitFor(() => old!.readyState === 3, { what: 'the old socket to close' });
    await waitFor(() => ticks.seen.length >= seenAtMove + 15, { what: 'more ticks' });
    expect(gapless(ticks.seen)).toBe(true);
    expect(ticks.started()).toBe(1);
    expect(client.statuses).toEqual(['connecting', 'open', 'open']);
    expect(await client.trpc.whoami.query()).toBe('tab-1');
  });
  test('events the old socket delivered while the new one was starting are not delivered twice', async () => {
    // A server written frame by frame, to hold the new socket's `started` back while the old one still sends.
    const frames: { ws: ServerWebSocket<{ n: number }>; message: Record<string, unknown> }[] = [];
    let count = 0;
    const manual = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: (request, srv) => (srv.upgrade(request, { data: { n: ++count } }) ? undefined : new Response('upgrade', { status: 400 })),
      websocket: {
        data: {} as { n: number },
        message(ws, message) {
          frames.push({ ws, message: JSON.parse(String(message)) as Record<string, unknown> });
        },
      },
    });
    try {
      const client = connect(`ws://127.0.0.1:${manual.port}/trpc`);
      const ticks = watchTicks(client);
      const subscribeOn = (n: number) =>
        waitFor(() => frames.find((frame) => frame.ws.data.n === n && frame.message.method === 'subscription'), {
          what: `the subscription on socket ${n}`,
        });
      const event = (id: number, n: number) =>
        JSON.stringify({ id, result: { type: 'data', id: String(n), data: { id: String(n), data: { n } } } });
      const first = await subscribeOn(1);
      const firstId = first.message.id as number;
      first.ws.send(JSON.stringify({ id: firstId, result: { type: 'started' } }));
      first.ws.send(event(firstId, 1));
      await waitFor(() => ticks.seen.length === 1, { what: 'the first event' });
      first.ws.send(JSON.stringify({ id: null, method: 'reconnect' }));
      const second = await subscribeOn(2);
      const secondId = second.message.id as number;
      expect((second.message.params as { lastEventId?: string }).lastEventId).toBe('1');
      // The old socket goes on until the new one has started: 2 and 3 arrive from it.
      first.ws.send(event(firstId, 2));
      first.ws.send(event(firstId, 3));
      await waitFor(() => ticks.seen.length === 3, { what: 'two events from the old socket' });
      second.ws.send(JSON.stringify({ id: secondId, result: { type: 'started' } }));
      for (const n of [2, 3, 4]) second.ws.send(event(secondId, n));
      await waitFor(() => ticks.seen.length >= 4, { what: 'the fourth event' });
      await waitFor(() => frames.some((frame) => frame.ws === first.ws && frame.message.method === 'subscription.stop'), {
        what: 'the stop on the old socket',
      });
      await waitFor(() => first.ws.readyState === 3, { what: 'the old socket to close' });
      expect(ticks.seen).toEqual([1, 2, 3, 4]);
      expect(ticks.started()).toBe(1);
    } finally {
      manual.stop(true);
    }
  });
});

describe('close()', () => {
  test('ends subscriptions, fails calls not sent, answers calls in flight, then closes; later calls fail at once', async () => {
    const client = connect(start());
    const ticks = watchTicks(client);
    await waitFor(() => ticks.seen.length >= 1, { what: 'a tick' });
    const inFlight = client.calls.request('mutation', 'slow', undefined);
    await waitFor(() => ran.includes('slow'), { what: 'the slow mutation to run' });
    const closing = client.socket.close();
    release();
    expect(await inFlight).toBe('done');
    await closing;
    expect(ticks.stopped()).toBe(1);
    expect(client.statuses.at(-1)).toBe('closed');
    await waitFor(() => openSockets().length === 0, { what: 'the server to see the close' });
    const after = (await client.trpc.whoami.query().catch((caught: unknown) => caught)) as StateClientError;
    expect(after).toBeInstanceOf(StateClientError);
    expect(after.message).toBe('The state client is closed');
  });

  test('a call waiting for a socket that never opened fails', async () => {
    const client = connect(() => new Promise<string>(() => undefined));
    const waiting = client.trpc.whoami.query().catch((caught: unknown) => caught);
    await client.socket.close();
    expect(((await waiting) as StateClientError).message).toBe('Closed before the connection was established');
  });
});
