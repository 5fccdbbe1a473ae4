import type { ServerWebSocket } from 'bun';
import { STATE_PATH } from '../lib/rpc-frames';
import type { BenchServer } from './bench-server';

interface CeilingSocket {
  /** The first frame (connection params) has arrived. */
  started: boolean;
}

interface CallFrame {
  id?: number | string | null;
  jsonrpc?: string;
  method?: string;
  params?: { path?: string; input?: { n?: unknown } };
}

/**
 * The ceiling: a raw Bun WebSocket server answering the same JSON-RPC frames
 * as tRPC would (one parse, one stringify per call, no router, no context).
 * Nothing over Bun's WebSocket can be faster than this.
 */
export function startCeilingServer(port = 0): BenchServer {
  const server = Bun.serve<CeilingSocket>({
    hostname: '127.0.0.1',
    port,
    reusePort: true,
    fetch(request, srv) {
      if (new URL(request.url).pathname === '/trpc' && srv.upgrade(request, { data: { started: false } })) return undefined;
      return new Response('Not found', { status: 404 });
    },
    websocket: {
      message(ws: ServerWebSocket<CeilingSocket>, message) {
        if (!ws.data.started) {
          ws.data.started = true;
          return;
        }
        const msg = JSON.parse(String(message)) as CallFrame;
        const head = { id: msg.id ?? null, jsonrpc: msg.jsonrpc };
        if (msg.method === 'subscription' && msg.params?.path === STATE_PATH) {
          ws.send(JSON.stringify({ ...head, result: { type: 'started' } }));
          ws.send(JSON.stringify({ ...head, result: { type: 'data', data: { delta: {}, actions: [], full: true } } }));
          return;
        }
        ws.send(JSON.stringify({ ...head, result: { type: 'data', data: msg.params?.input?.n ?? null } }));
      },
    },
  });
  return {
    port: server.port!,
    cookies: [],
    async stop() {
      await server.stop(true);
    },
  };
}
