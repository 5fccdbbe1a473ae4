import type { Server, ServerWebSocket } from 'bun';

/** One query or mutation as the fake server received it. */
export interface FakeCall {
  id: number;
  method: 'query' | 'mutation';
  path: string;
  input: unknown;
  connection: FakeConnection;
}

/** What a handler answers: a result's `data`, or a tRPC error shape. */
export type FakeReply = { data: unknown } | { error: { message: string; code: number; data: Record<string, unknown> } };

export type FakeHandler = (call: FakeCall) => FakeReply | Promise<FakeReply>;

export interface FakeConnection {
  /** The connection params the client sent first, once they arrived. */
  params: Record<string, unknown> | null;
  /** Open subscriptions: wire id → path. */
  subscriptions: Map<number, string>;
  /** Sends `data` on every open subscription to `path`. */
  push(path: string, data: unknown): void;
  /** Drops the socket, as a restarting server would. */
  drop(): void;
}

interface SocketData {
  connection: FakeConnection | null;
}

interface WireMessage {
  id?: number;
  method?: string;
  data?: unknown;
  params?: { path: string; input?: unknown };
}

/**
 * A tRPC v11 WebSocket server answering JSON-RPC frames by hand, so tests can
 * hand-build the envelopes a Statehouse server would send.
 */
export function startFakeTrpcServer(handler: FakeHandler) {
  const connections: FakeConnection[] = [];
  const calls: FakeCall[] = [];
  const waiters: (() => void)[] = [];
  const changed = () => {
    for (const wake of waiters.splice(0)) wake();
  };

  function send(ws: ServerWebSocket<SocketData>, message: unknown) {
    if (ws.readyState === 1) ws.send(JSON.stringify(message));
  }

  async function answer(ws: ServerWebSocket<SocketData>, connection: FakeConnection, message: WireMessage) {
    const { id, method } = message;
    if (method === 'connectionParams') {
      connection.params = (message.data ?? null) as Record<string, unknown> | null;
    } else if (method === 'subscription.stop' && id !== undefined) {
      connection.subscriptions.delete(id);
      send(ws, { id, result: { type: 'stopped' } });
    } else if (method === 'subscription' && id !== undefined && message.params) {
      connection.subscriptions.set(id, message.params.path);
      send(ws, { id, result: { type: 'started' } });
    } else if ((method === 'query' || method === 'mutation') && id !== undefined && message.params) {
      const call: FakeCall = { id, method, path: message.params.path, input: message.params.input, connection };
      calls.push(call);
      const reply = await handler(call);
      send(ws, 'error' in reply ? { id, error: reply.error } : { id, result: { type: 'data', data: reply.data } });
    }
    changed();
  }

  const server: Server<SocketData> = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request, srv) {
      if (srv.upgrade(request, { data: { connection: null } })) return undefined;
      // Bun serves only its own Response class; happy-dom replaced the global one.
      return new globalThis.__native.Response('Upgrade required', { status: 426 });
    },
    websocket: {
      data: {} as SocketData,
      open(ws) {
        const connection: FakeConnection = {
          params: null,
          subscriptions: new Map(),
          push(path, data) {
            for (const [id, subscribed] of connection.subscriptions) {
              if (subscribed === path) send(ws, { id, result: { type: 'data', data } });
            }
          },
          drop() {
            ws.close(1012, 'restarting');
          },
        };
        ws.data.connection = connection;
        connections.push(connection);
        changed();
      },
      message(ws, raw) {
        const connection = ws.data.connection;
        if (!connection) return;
        const text = String(raw);
        if (text === 'PING') return void ws.send('PONG');
        const parsed = JSON.parse(text) as WireMessage | WireMessage[];
        for (const message of Array.isArray(parsed) ? parsed : [parsed]) void answer(ws, connection, message);
      },
      close() {
        changed();
      },
    },
  });

  /** Resolves once `check()` holds, re-checking after every frame; fails after `timeoutMs`. */
  async function waitFor<T>(check: () => T | null | undefined | false, timeoutMs = 2_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('waitFor timed out');
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  return {
    url: `ws://127.0.0.1:${server.port}/trpc`,
    connections,
    calls,
    waitFor,
    stop: () => server.stop(true),
  };
}

export type FakeTrpcServer = ReturnType<typeof startFakeTrpcServer>;
