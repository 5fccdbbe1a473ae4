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
    try {
      while (!signal?.aborted) {
        yield tracked(String(n), { n });
        n++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      state.ticksEnded++;
    }
  }),
});
type TestRouter = typeof router;

interface SocketData {
  conn: SocketConnection<Ctx> | null;
  params: boolean;
  /** The call frames the client sent on this socket. */
  frames: Record<string, unknown>[];
  url: string;
  /** Its context was built. */
  accepted: boolean;
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
  /** `ticks` generators that ended (stopped, or their socket closed). */
  ticksEnded: 0,
};
let server: Server<SocketData> | null = null;
/** Servers written frame by frame (`startManual`), stopped after each test. */
const manualServers: Server<ManualData>[] = [];
const clients: { close(): Promise<void> }[] = [];

function start(): string {
  const protocol = new SocketProtocol<Ctx>({ router, maxBatchSize: 10 });
  server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request, srv) {
      const params = new URL(request.url).searchParams.get('connectionParams') === '1';
      return srv.upgrade(request, { data: { conn: null, params, frames: [], url: request.url, accepted: false } })
        ? undefined
        : new Response('upgrade', { status: 400 });
    },
    websocket: {
      data: {} as SocketData,
      open(ws) {
        state.sockets.push(ws);
        ws.data.conn = protocol.connect(ws, ws.data.params, {
          createContext(params) {
            if (state.refuse) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'no context' });
            ws.data.accepted = true;
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
        else if (text.startsWith('{')) ws.data.frames.push(JSON.parse(text) as Record<string, unknown>);
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
  Object.assign(state, { sockets: [], paramsFrames: [], pings: 0, mute: false, refuse: false, ticksEnded: 0 });
  for (const manual of manualServers.splice(0)) manual.stop(true);
});

interface ManualData {
  url: string;
  frames: Record<string, unknown>[];
}

/**
 * A server written frame by frame: it answers nothing by itself, so a test
 * sends each frame when it wants (to hold a `started` back, to refuse, to
 * close a socket mid-move).
 */
function startManual() {
  const sockets: ServerWebSocket<ManualData>[] = [];
  const manual = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request, srv) =>
      srv.upgrade(request, { data: { url: request.url, frames: [] } }) ? undefined : new Response('upgrade', { status: 400 }),
    websocket: {
      data: {} as ManualData,
      open: (ws) => void sockets.push(ws),
      message(ws, message) {
        const text = String(message);
        if (text.startsWith('{')) ws.data.frames.push(JSON.parse(text) as Record<string, unknown>);
      },
    },
  });
  manualServers.push(manual);
  /** The last frame of `method` the client sent on socket `index` (0-based). */
  const frame = (index: number, method: string) =>
    waitFor(() => sockets[index]?.data.frames.findLast((f) => f.method === method), { what: `a ${method} frame on socket ${index}` });
  const send = (index: number, message: unknown) => sockets[index]!.send(JSON.stringify(message));
  const event = (id: unknown, n: number) => ({ id, result: { type: 'data', id: String(n), data: { id: String(n), data: { n } } } });
  const stops = (index: number) => sockets[index]!.data.frames.filter((f) => f.method === 'subscription.stop').map((f) => f.id);
  return { url: `ws://127.0.0.1:${manual.port}/trpc`, sockets, frame, send, event, stops };
}

/** A `ticks` subscription started on socket 0 with one event, then asked by the server to move to socket 1, which has it sent. */
async function moving() {
  const manual = startManual();
  const client = connect(manual.url);
  const ticks = watchTicks(client);
  const first = await manual.frame(0, 'subscription');
  manual.send(0, { id: first.id, result: { type: 'started' } });
  manual.send(0, manual.event(first.id, 1));
  await waitFor(() => ticks.seen.length === 1, { what: 'the first event' });
  manual.send(0, { id: null, method: 'reconnect' });
  const second = await manual.frame(1, 'subscription');
  return { manual, client, ticks, firstId: first.id, secondId: second.id };
}

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
    onData: (event) => seen.push(event.data.n),
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
    // The first socket's generator ended with it.
    await waitFor(() => state.ticksEnded === 1, { what: 'the first generator to end' });
    ticks.sub.unsubscribe();
    // The stop reached the server and ended the generator there; the client's socket stays open.
    const stop = await waitFor(() => state.sockets[1]!.data.frames.find((frame) => frame.method === 'subscription.stop'), {
      what: 'the stop frame',
    });
    expect(stop.id).toBe(state.sockets[1]!.data.frames.find((frame) => frame.method === 'subscription')!.id);
    await waitFor(() => state.ticksEnded === 2, { what: 'the second generator to end' });
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

describe('an input that is no JSON', () => {
  test('fails its own call at once; the calls and the subscription queued with it are sent', async () => {
    const url = start();
    let give: ((value: string) => void) | null = null;
    let given: string | null = null;
    const client = connect(async () => given ?? new Promise<string>((resolve) => (give = resolve)));
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    // Queued before the socket opens, as a page's first calls are.
    const bigint = client.calls.request('mutation', 'notes.create', { title: 1n }).catch((caught: unknown) => caught);
    const circular = client.calls.request('mutation', 'notes.create', cycle).catch((caught: unknown) => caught);
    const answer = client.trpc.whoami.query();
    const ticks = watchTicks(client);
    for (const failed of [await bigint, await circular]) {
      expect(failed).toBeInstanceOf(StateClientError);
      expect((failed as StateClientError).message).toBe('The input cannot be sent as JSON');
      expect((failed as StateClientError).cause).toBeInstanceOf(TypeError);
    }
    const giveUrl = await waitFor(() => give, { what: 'the url to be asked for' });
    given = url;
    giveUrl(url);
    expect(await answer).toBe('tab-1');
    await waitFor(() => ticks.seen.length >= 2, { what: 'ticks' });
    // Nothing of the bad calls is left to break the next socket.
    state.sockets[0]!.close(1012, 'restarting');
    await waitFor(() => state.sockets.length === 2 && ticks.seen.length >= 6, { what: 'ticks on the second socket' });
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    expect(ran).toEqual([]);
  });
});

describe('the typed proxy', () => {
  test("Object.prototype's names are no calls: nothing is sent, and close() is not held up", async () => {
    const client = connect(start());
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    expect(() => `${client.trpc.notes}`).toThrow(TypeError);
    const notes = client.trpc.notes as unknown as Record<string, () => unknown>;
    expect(() => notes.valueOf!()).toThrow(TypeError);
    await client.socket.close();
    expect(state.sockets[0]!.data.frames.map((frame) => frame.method)).toEqual(['query']);
  });
});

describe('close() is bounded', () => {
  test('a call the server never answers fails after closeTimeoutMs, and the socket closes', async () => {
    const manual = startManual();
    const client = connect(manual.url, { closeTimeoutMs: 50 });
    const unanswered = client.calls.request('query', 'whoami', undefined).catch((caught: unknown) => caught);
    await manual.frame(0, 'query');
    await client.socket.close();
    expect(((await unanswered) as StateClientError).message).toBe('The state client is closed');
    expect(client.statuses.at(-1)).toBe('closed');
    await waitFor(() => manual.sockets[0]!.readyState === 3, { what: 'the socket to close' });
  }, 3_000);
});

describe('a subscription moving to a new socket', () => {
  test('refused by the new socket: the old one is told to stop, and closes', async () => {
    const { manual, ticks, firstId, secondId } = await moving();
    manual.send(1, { id: secondId, error: { message: 'no', code: -32001, data: { code: 'UNAUTHORIZED' } } });
    await waitFor(() => ticks.errors.length === 1, { what: 'the error' });
    await waitFor(() => manual.sockets[0]!.readyState === 3, { what: 'the old socket to close' });
    expect(manual.stops(0)).toEqual([firstId]);
    expect(manual.sockets[1]!.readyState).toBe(1);
  });

  test('close() during the move closes both sockets and stops the subscription once', async () => {
    const { manual, client, ticks } = await moving();
    await client.socket.close();
    expect(ticks.stopped()).toBe(1);
    await waitFor(() => manual.sockets.every((ws) => ws.readyState === 3), { what: 'both sockets to close' });
  });

  test('a second reconnect before the first move ends: the first socket stops it and closes, then the second', async () => {
    const { manual, client, ticks, firstId, secondId } = await moving();
    manual.send(1, { id: null, method: 'reconnect' });
    const third = await manual.frame(2, 'subscription');
    expect(manual.stops(0)).toEqual([firstId]);
    await waitFor(() => manual.sockets[0]!.readyState === 3, { what: 'the first socket to close' });
    manual.send(1, manual.event(secondId, 2));
    manual.send(2, { id: third.id, result: { type: 'started' } });
    for (const n of [2, 3]) manual.send(2, manual.event(third.id, n));
    await waitFor(() => ticks.seen.length === 3, { what: 'three events' });
    await waitFor(() => manual.sockets[1]!.readyState === 3, { what: 'the second socket to close' });
    expect(manual.stops(1)).toEqual([secondId]);
    expect(ticks.seen).toEqual([1, 2, 3]);
    expect(ticks.started()).toBe(1);
    await client.socket.close();
    expect(ticks.stopped()).toBe(1);
  });

  test('the old socket lost mid-move: what it delivered is not delivered again, and onStarted is not heard twice', async () => {
    const { manual, ticks, firstId, secondId } = await moving();
    manual.send(0, manual.event(firstId, 2));
    manual.send(0, manual.event(firstId, 3));
    await waitFor(() => ticks.seen.length === 3, { what: 'two events from the old socket' });
    manual.sockets[0]!.close();
    await Bun.sleep(20);
    manual.send(1, { id: secondId, result: { type: 'started' } });
    for (const n of [2, 3, 4]) manual.send(1, manual.event(secondId, n));
    await waitFor(() => ticks.seen.length >= 4, { what: 'the fourth event' });
    await Bun.sleep(20);
    expect(ticks.seen).toEqual([1, 2, 3, 4]);
    expect(ticks.started()).toBe(1);
  });
});

describe('the backoff', () => {
  test('starts over after each socket the server accepted, even one that answered nothing', async () => {
    state.refuse = true;
    const client = connect(start());
    await waitFor(() => client.attempts.length >= 3, { what: 'three refused sockets' });
    state.refuse = false;
    // Accepted sockets the client makes no call on, lost one after the other.
    for (let drop = 1; drop <= 2; drop++) {
      const socket = await waitFor(() => openSockets().find((ws) => ws.data.accepted), { what: 'an accepted socket' });
      await waitFor(() => client.statuses.at(-1) === 'open', { what: 'the client to adopt it' });
      const before = client.attempts.length;
      socket.close(1012, 'restarting');
      await waitFor(() => client.attempts.length > before, { what: 'the next attempt' });
      expect(client.attempts.at(-1)).toBe(0);
    }
  });
});

describe('the backoff counts only attempts it schedules', () => {
  test('a socket lost while its replacement is already opening schedules nothing', async () => {
    const url = start();
    let urls = 0;
    let give: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (give = resolve));
    const client = connect(async () => {
      if (++urls === 2) await held;
      return url;
    });
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    state.sockets[0]!.send(JSON.stringify({ id: null, method: 'reconnect' }));
    await waitFor(() => urls === 2, { what: 'the replacement to ask for its url' });
    // The notification's own delay.
    expect(client.attempts).toEqual([0]);
    state.sockets[0]!.close(1012, 'restarting');
    await waitFor(() => client.statuses.at(-1) === 'connecting', { what: 'the loss' });
    give();
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    expect(client.attempts).toEqual([0]);
    expect(state.sockets).toHaveLength(2);
  });
});

describe('callbacks that throw', () => {
  test('a throwing onStatus neither stops the reconnect nor the calls; onError hears it', async () => {
    const url = start();
    const errors: string[] = [];
    const client = connect(url, {
      onStatus: (status) => {
        if (status !== 'open') throw new Error(`status ${status}`);
      },
      onError: (error, source) => errors.push(`${source}: ${(error as Error).message}`),
    });
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    state.sockets[0]!.close(1012, 'restarting');
    await waitFor(() => state.sockets.length === 2, { what: 'the second socket' });
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    await client.socket.close();
    expect(errors).toEqual(['a state socket callback threw: status connecting', 'a state socket callback threw: status closed']);
  });

  test('a throwing onStopped does not keep close() from closing the socket', async () => {
    const errors: unknown[] = [];
    const client = connect(start(), { onError: (error) => errors.push(error) });
    client.socket.call('subscription', 'ticks', undefined, {
      data: () => undefined,
      error: () => undefined,
      stopped: () => {
        throw new Error('page bug');
      },
    });
    await waitFor(() => state.ticksEnded === 0 && state.sockets[0]?.data.frames.length, { what: 'the subscription' });
    await client.socket.close();
    expect(client.statuses.at(-1)).toBe('closed');
    expect(errors).toHaveLength(1);
    await waitFor(() => openSockets().length === 0, { what: 'the server to see the close' });
  });
});

describe('connection failures', () => {
  test('a rejecting url() and a throwing WebSocket constructor are reported and retried', async () => {
    const url = start();
    const errors: string[] = [];
    let urls = 0;
    let constructed = 0;
    const client = connect(
      async () => {
        if (++urls === 1) throw new Error('no url');
        return url;
      },
      {
        WebSocket: class extends WebSocket {
          constructor(target: string | URL) {
            if (++constructed === 1) throw new SyntaxError('bad url');
            super(target);
          }
        },
        onError: (error, source) => errors.push(`${source}: ${(error as Error).message}`),
      },
    );
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    expect(errors).toEqual(['could not open the state socket: no url', 'could not open the state socket: bad url']);
    expect(client.attempts).toEqual([0, 1]);
  });

  test('a waiting call whose frame the new socket will not take fails with The call could not be sent', async () => {
    const refusal = new Error('send refused');
    const client = connect(start(), {
      // A socket that takes the params frame and no call: what a broken socket's send does, for real, to one frame.
      WebSocket: class extends WebSocket {
        override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
          if (typeof data === 'string' && data.includes('"path":"notes.create"')) throw refusal;
          super.send(data);
        }
      },
    });
    // Made before the socket is open: it waits, and is sent as the socket is adopted.
    const failed = (await client.trpc.notes.create.mutate({ title: 'lost' }).catch((caught: unknown) => caught)) as StateClientError;
    expect(failed).toBeInstanceOf(StateClientError);
    expect(failed.message).toBe('The call could not be sent');
    expect(failed.cause).toBe(refusal);
    // The socket itself serves on.
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    expect(ran).toEqual([]);
    expect(client.statuses.at(-1)).toBe('open');
  });

  test('throwing connection params are reported', async () => {
    const errors: string[] = [];
    let reads = 0;
    const client = connect(start(), {
      connectionParams: () => {
        if (++reads === 1) throw new Error('no params');
        return { tab: 'tab-1' };
      },
      onError: (error, source) => errors.push(`${source}: ${(error as Error).message}`),
    });
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    expect(errors).toEqual(['could not read the connection params: no params']);
  });
});

describe('cancel and reconnect()', () => {
  test('cancelling a mutation in flight rejects it with Cancelled', async () => {
    const client = connect(start());
    const outcome = new Promise<unknown>((resolve) => {
      const cancel = client.socket.call('mutation', 'slow', undefined, { data: resolve, error: resolve });
      void waitFor(() => ran.includes('slow')).then(cancel);
    });
    const error = (await outcome) as StateClientError;
    expect(error).toBeInstanceOf(StateClientError);
    expect(error.message).toBe('Cancelled');
  });

  test('reconnect() while the URL is awaited asks for it afresh', async () => {
    const url = start();
    let urls = 0;
    const client = connect(() => (++urls === 1 ? new Promise<string>(() => undefined) : Promise.resolve(url)));
    const answer = client.trpc.whoami.query();
    await waitFor(() => urls === 1, { what: 'the first url' });
    client.socket.reconnect();
    expect(await answer).toBe('tab-1');
    expect(urls).toBe(2);
  });

  test('reconnect() during a move: the socket begun before it is not adopted', async () => {
    const url = start();
    let urls = 0;
    let give: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (give = resolve));
    const client = connect(async () => {
      const n = ++urls;
      // The second URL (the move's) comes late, as with a cookie still being followed.
      if (n === 2) await held;
      return `${url}?n=${n}`;
    });
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    state.sockets[0]!.send(JSON.stringify({ id: null, method: 'reconnect' }));
    await waitFor(() => urls === 2, { what: 'the move to ask for its url' });
    client.socket.reconnect();
    give();
    await waitFor(() => client.statuses.at(-1) === 'open' && state.sockets.length === 2, { what: 'a fresh socket' });
    expect(await client.trpc.whoami.query()).toBe('tab-1');
    await Bun.sleep(20);
    expect(state.sockets.map((ws) => new URL(ws.data.url).searchParams.get('n'))).toEqual(['1', '3']);
  });
});

describe('keep-alive', () => {
  test('a call in flight fails once the silent socket is closed', async () => {
    const client = connect(start(), { keepAlive: { enabled: true, intervalMs: 30, pongTimeoutMs: 30 } });
    await client.trpc.whoami.query();
    const inFlight = client.calls.request('mutation', 'slow', undefined).catch((caught: unknown) => caught);
    await waitFor(() => ran.includes('slow'), { what: 'the slow mutation to run' });
    state.mute = true;
    expect(((await inFlight) as StateClientError).message).toBe('WebSocket closed');
    state.mute = false;
  });
});
