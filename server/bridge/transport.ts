import type { AnyRouter } from '@trpc/server';
import type { Server, ServerWebSocket } from 'bun';
import { Elysia } from 'elysia';
import type { StatehouseConfig } from '../config';
import { describeDatabaseError, isRetriableDatabaseError } from '../errors';
import type { Runtime } from '../runtime';
import { secureCookiesOf } from '../auth/session-cookie';
import { clientIp, originAllowed, ownOrigin } from '../auth/origin';
import { ROUTE_MUTATION_PATH } from '../state/protocol';
import { Connection } from './connection';
import type { StashedSlices } from './resume-stash';
import { resolveSession } from './session-cache';
import {
  expectsConnectionParams,
  SocketProtocol,
  type CallMessage,
  type ContextSource,
  type SocketConnection,
  type SocketSink,
} from './socket-protocol';
import type { ConnectionContext } from './trpc';
import { TurnSlices, type SliceOwner } from './turn-slices';

const TAB_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** The route mirror follows `statehouse.route` calls in the order they arrive, before any call of their frame runs. */
function followRouteReport(sink: SocketSink, call: CallMessage): void {
  if (call.method !== 'mutation' || call.params?.path !== ROUTE_MUTATION_PATH) return;
  const input = call.params.input as { path?: unknown; query?: unknown } | null | undefined;
  if (input && typeof input === 'object') (sink as ServerWebSocket<TabSocket>).data.connection.followRoute(input.path, input.query);
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

/** The transport's shared parts: one per app. */
interface Transport {
  runtime: Runtime;
  protocol: SocketProtocol<ConnectionContext>;
  /** Every socket's frames, handled at once or, when they pile up, in slices of a turn. */
  slices: TurnSlices<TabSocket>;
}

/**
 * What each Bun socket carries as `data`: Elysia's dispatcher calls its
 * `open` / `message` / `close`. Methods on the prototype, so a connection
 * costs no closures.
 */
class TabSocket implements ContextSource<ConnectionContext>, SliceOwner {
  private protocol: SocketConnection<ConnectionContext> | null = null;

  constructor(
    private readonly transport: Transport,
    readonly connection: Connection,
    private readonly expectParams: boolean,
  ) {}

  open(ws: ServerWebSocket<TabSocket>): void {
    this.transport.runtime.registry.add(this.connection);
    // The connection's message budget: every call, PING and bad frame spends it.
    this.protocol = this.transport.protocol.connect(ws, this.expectParams, this, this.connection);
  }

  message(ws: ServerWebSocket<TabSocket>, message: string | Buffer): void {
    const protocol = this.protocol;
    if (protocol === null) return;
    const { slices } = this.transport;
    // A tab that is back, with nothing queued anywhere, and keep-alives: at once, as always.
    if ((slices.pending === 0 && protocol.settled) || message === 'PING' || message === 'PONG') {
      protocol.message(message);
      return;
    }
    const offered = slices.offer(this, message, protocol.settled);
    if (offered === 'flooding') ws.close(1008, 'Too many frames waiting');
    else if (offered === 'busy') ws.close(1013, 'The server is busy: try again later');
  }

  /** Handles one frame (`now`: when it was received or reached in the queue) when {@link TurnSlices} says. */
  handle(frame: string | Buffer, now: number | undefined): void {
    this.protocol?.message(frame, now);
  }

  close(): void {
    // Its frames still waiting are dropped: the socket cannot be answered.
    this.transport.slices.forget(this);
    const { runtime } = this.transport;
    runtime.resumeStash.keep(this.connection);
    runtime.registry.remove(this.connection);
    this.connection.close();
    this.protocol?.close();
    this.protocol = null;
  }

  /** The connection's context, built once from its connection params (tab id, page). */
  async createContext(params: Record<string, string | undefined> | null): Promise<ConnectionContext> {
    const { runtime } = this.transport;
    const conn = this.connection;
    if (params && typeof params.tabId === 'string' && TAB_ID.test(params.tabId)) conn.tabId = params.tabId;
    conn.followRoute(params?.path, params?.query);
    conn.setLanguages(params?.languages);
    try {
      const { session, user } = await resolveSession(runtime, conn);
      runtime.registry.bind(conn, session?.id ?? null, user?.id ?? null);
    } catch (error) {
      // The session store is down for now: the tab connects unbound, and each
      // event reads its session again, answering a retriable error meanwhile.
      if (!isRetriableDatabaseError(error)) throw error;
      runtime.log.warn('session store unavailable while a tab connected', { error: describeDatabaseError(error) });
    }
    if (conn.tabId) {
      // Pushes that reach the tab while its slices travel back (from Redis) go on top of them, in order.
      conn.beginResume();
      let resumed: StashedSlices | null = null;
      try {
        resumed = await runtime.resumeStash.take(conn.tabId, conn.sessionId);
      } finally {
        conn.endResume(resumed);
      }
      // Closed while its slices were on their way back: kept again, not lost.
      if (resumed && conn.closed) runtime.resumeStash.keep(conn);
    }
    return { runtime, connection: conn };
  }
}

/**
 * The tRPC WebSocket at `/trpc`, on the same Bun server and port as the
 * Elysia app. The upgrade is refused (403) unless its Origin is allowed.
 */
export function socketTransport(runtime: Runtime, appRouter: AnyRouter) {
  const protocol = new SocketProtocol<ConnectionContext>({
    router: appRouter,
    maxBatchSize: 20,
    onCall: followRouteReport,
    onError({ error, path, type }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') {
        runtime.log.error('event failed', { event: path ?? '(none)', type, error: error.cause ?? error });
      } else {
        runtime.log.debug('event refused', { event: path ?? '(none)', code: error.code });
      }
    },
  });
  const slices = new TurnSlices<TabSocket>((error) => runtime.log.error('a queued socket frame failed', { error }));
  const transport: Transport = { runtime, protocol, slices };

  return new Elysia({ name: 'statehouse-transport' }).get('/trpc', ({ request, server, status }) => {
    if (!server) return status(500, 'No server');
    const peer = server.requestIP(request)?.address ?? '';
    if (!originAllowed(runtime.config, request, peer)) {
      runtime.log.warn('socket refused: origin not allowed', { origin: request.headers.get('origin') ?? '(none)' });
      return status(403, 'Forbidden origin');
    }
    const ip = clientIp(runtime.config, request, peer);
    const cap = runtime.config.socket.maxConnectionsPerAddress;
    // Counted at open: upgrades in flight at the same instant may pass it by a few.
    if (cap > 0 && runtime.registry.connectionsFrom(ip) >= cap) {
      runtime.log.debug('socket refused: too many connections from this address', { ip });
      return status(429, 'Too many connections from this address');
    }
    // Nothing of a request that is no upgrade is kept (its headers would enter the shared table).
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') return status(400, 'Expected a WebSocket upgrade');
    const connection = new Connection({
      headers: request.headers,
      ip,
      secure: secureCookiesOf(runtime.config, request, peer),
      origin: ownOrigin(runtime.config, request, peer),
      messageBurst: runtime.config.rateLimit.messageBurst,
      messagesPerSecond: runtime.config.rateLimit.messagesPerSecond,
      strings: runtime.registry.strings,
    });
    const data = new TabSocket(transport, connection, expectsConnectionParams(request));
    if ((server as Server<TabSocket>).upgrade(request, { data })) return;
    return status(400, 'Expected a WebSocket upgrade');
  });
}
