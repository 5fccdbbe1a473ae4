import { getWSConnectionHandler } from '@trpc/server/adapters/ws';
import type { AnyRouter } from '@trpc/server';
import type { Server, ServerWebSocket } from 'bun';
import type { IncomingMessage } from 'node:http';
import { Elysia } from 'elysia';
import type { StatehouseConfig } from '../config';
import type { Runtime } from '../runtime';
import { clientIp, isHttps, originAllowed, ownOrigin } from '../http/origin';
import { ROUTE_MUTATION_PATH } from '../state/protocol';
import { Connection } from './connection';
import { resolveSession } from './event';
import { BunSocketShim } from './ws-shim';

/** What each Bun socket carries; Elysia's dispatcher calls these handlers. */
interface SocketData {
  connection: Connection;
  shim: BunSocketShim | null;
  open(ws: ServerWebSocket<SocketData>): void;
  message(ws: ServerWebSocket<SocketData>, message: string | Buffer): void;
  close(ws: ServerWebSocket<SocketData>, code: number, reason: string): void;
}

const TAB_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The route mirror follows `statehouse.route` calls in the order they arrive. */
function applyRouteReports(conn: Connection, message: string): void {
  if (!message.includes(ROUTE_MUTATION_PATH)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return;
  }
  for (const msg of Array.isArray(parsed) ? parsed : [parsed]) {
    const params = (msg as { params?: { path?: unknown; input?: { path?: unknown; query?: unknown } } })?.params;
    if (params?.path === ROUTE_MUTATION_PATH && params.input) conn.setRoute(params.input.path, params.input.query);
  }
}

/**
 * Bun's WebSocket settings from `config.socket`: frames over the size limit
 * close the socket (1009), a client that stops reading is closed at the
 * backpressure limit, idle sockets are pinged.
 */
export function socketServerOptions(config: StatehouseConfig) {
  return {
    maxPayloadLength: config.socket.maxPayloadBytes,
    backpressureLimit: config.socket.backpressureLimitBytes,
    closeOnBackpressureLimit: true,
    idleTimeout: config.socket.idleTimeoutSeconds,
    sendPings: true,
  };
}

/**
 * The tRPC WebSocket at `/trpc`, on the same Bun server and port as the
 * Elysia app. The upgrade is refused (403) unless its Origin is allowed.
 */
export function socketTransport(runtime: Runtime, appRouter: AnyRouter) {
  const handle = getWSConnectionHandler({
    router: appRouter,
    maxBatchSize: 20,
    createContext: async ({ res, info }) => {
      const conn = (res as unknown as BunSocketShim & { connection: Connection }).connection;
      const params = info.connectionParams ?? {};
      if (typeof params.tabId === 'string' && TAB_ID.test(params.tabId)) conn.tabId = params.tabId;
      conn.setRoute(params.path, params.query);
      const { session, user } = await resolveSession(runtime, conn);
      runtime.registry.bind(conn, session?.id ?? null, user?.id ?? null);
      const resumed = conn.tabId ? runtime.registry.resume(conn.tabId, conn.sessionId) : null;
      if (resumed) for (const [name, values] of resumed) conn.slices.set(name, values);
      return { runtime, connection: conn };
    },
    onError({ error, path, type }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        runtime.log.error('event failed', { event: path ?? '(none)', type, error: error.cause ?? error });
      } else {
        runtime.log.debug('event refused', { event: path ?? '(none)', code: error.code });
      }
    },
  } as Parameters<typeof getWSConnectionHandler>[0]);

  return new Elysia({ name: 'statehouse-transport' }).get('/trpc', ({ request, server, status }) => {
    if (!server) return status(500, 'No server');
    const peer = server.requestIP(request)?.address ?? '';
    if (!originAllowed(runtime.config, request, peer)) {
      runtime.log.warn('socket refused: origin not allowed', { origin: request.headers.get('origin') ?? '(none)' });
      return status(403, 'Forbidden origin');
    }
    const connection = new Connection({
      headers: request.headers,
      ip: clientIp(runtime.config, request, peer),
      secure: isHttps(runtime.config, request, peer),
      origin: ownOrigin(runtime.config, request, peer),
      messageBurst: runtime.config.rateLimit.messageBurst,
      messagesPerSecond: runtime.config.rateLimit.messagesPerSecond,
    });
    const url = new URL(request.url);
    const req = {
      url: url.pathname + url.search,
      headers: { host: url.host },
      socket: {},
    } as unknown as IncomingMessage;
    const data: SocketData = {
      connection,
      shim: null,
      open(ws) {
        const shim = new BunSocketShim(ws as ServerWebSocket<unknown>);
        (shim as BunSocketShim & { connection: Connection }).connection = connection;
        data.shim = shim;
        runtime.registry.add(connection);
        handle(shim.asWs(), req);
      },
      message(_ws, message) {
        if (typeof message === 'string') applyRouteReports(connection, message);
        data.shim?.emitMessage(message);
      },
      close(_ws, code, reason) {
        runtime.registry.stash(connection, runtime.config.socket.resumeGraceMs);
        runtime.registry.remove(connection);
        connection.close();
        data.shim?.emitClose(code, reason);
        data.shim = null;
      },
    };
    if ((server as Server<SocketData>).upgrade(request, { data })) return;
    return status(400, 'Expected a WebSocket upgrade');
  });
}
