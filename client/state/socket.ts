import type { ErrorEnvelope } from '../../server/shared';

/** `open` once the socket is up; `connecting` while (re)connecting; `closed` after `close()`. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** A failed call's `error.data`, as the server's error formatter shapes it. */
export interface StateErrorData {
  /** The tRPC error code: `'UNAUTHORIZED'`, `'FORBIDDEN'`, `'BAD_REQUEST'`… */
  code: string;
  httpStatus?: number;
  path?: string;
  /** The state envelope of a refused call: delta, client actions, field errors, retry delay. */
  statehouse?: ErrorEnvelope;
  [key: string]: unknown;
}

/** A failed call's error as the server sent it (tRPC's error shape). */
export interface StateErrorShape {
  message: string;
  code: number;
  data: StateErrorData;
  [key: string]: unknown;
}

/**
 * Why a call over the state socket failed. A server's answer keeps its error
 * shape in `shape`, its `data` (code, httpStatus, the `statehouse` envelope)
 * in `data`; a lost socket or a closed client has neither, and says so in
 * its `message` (with the socket's close event as `cause`). The fields are
 * those of `@trpc/client`'s `TRPCClientError`.
 *
 * @example
 * try { await trpc.notes.remove.mutate({ id }) }
 * catch (error) { if (error instanceof StateClientError && error.data?.code === 'FORBIDDEN') … }
 */
export class StateClientError extends Error {
  /** The server's error shape, when the server answered. */
  readonly shape: StateErrorShape | undefined;
  /** `shape.data`: `code`, `httpStatus`, `path`, `statehouse`… */
  readonly data: StateErrorData | undefined;
  override readonly cause: unknown;

  constructor(message: string, options: { shape?: StateErrorShape; cause?: unknown } = {}) {
    super(message);
    this.name = 'StateClientError';
    this.shape = options.shape;
    this.data = options.shape?.data;
    this.cause = options.cause;
  }
}

/** What a call hears back: its results (one for a query or mutation), its error, its end. */
export interface CallHandlers {
  started?(): void;
  data(value: unknown): void;
  error(error: StateClientError): void;
  stopped?(): void;
}

export type CallType = 'query' | 'mutation' | 'subscription';

export interface StateSocketOptions {
  /** Where to connect; awaited before each connection attempt. */
  url(): string | Promise<string>;
  /** The connection params, read as each socket opens and sent as its first frame. */
  connectionParams(): Record<string, string | undefined>;
  /** @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
  /** Delay before reconnect attempt `n`. */
  retryDelayMs(attemptIndex: number): number;
  /** Ping after `intervalMs` of silence, reconnect when nothing answers within `pongTimeoutMs`. Off by default. */
  keepAlive?: { enabled: boolean; intervalMs?: number; pongTimeoutMs?: number };
  /** Hears every change of the connection status. */
  onStatus(status: ConnectionStatus): void;
}

export interface StateSocket {
  /** Sends a call (now, or once a socket is open) and returns its cancel: a subscription is stopped. */
  call(type: CallType, path: string, input: unknown, handlers: CallHandlers): () => void;
  /** Closes the current socket; a new one opens after the backoff, and calls meanwhile wait for it. */
  reconnect(): void;
  /**
   * Stops for good: subscriptions end (`stopped`), calls not sent yet fail,
   * calls in flight get their answers, then the socket closes. Calls after
   * it fail at once.
   */
  close(): Promise<void>;
}

interface WireMessage {
  id: number;
  method: CallType | 'subscription.stop';
  params?: { path: string; input: unknown; lastEventId?: string };
}

interface WireResult {
  id?: number | string | null;
  method?: string;
  result?: { type?: 'started' | 'data' | 'stopped'; data?: unknown; id?: string | number };
  error?: StateErrorShape;
}

/** One call the client waits on, sent (`ws`) or not yet (`ws === null`). */
interface Pending {
  message: WireMessage & { params: NonNullable<WireMessage['params']> };
  handlers: CallHandlers;
  ws: WebSocket | null;
  /** Settles when a query or mutation is answered or failed; `close()` waits for it. */
  done: Promise<void>;
  settle(): void;
  /** A subscription moving to a new socket: the one it still runs on, and its id there. */
  from: { ws: WebSocket; id: number } | null;
  /** Ids of tracked events the old socket delivered during a move: the new one skips them. */
  seen: Set<string> | null;
}

const KEEP_ALIVE_INTERVAL_MS = 5_000;
const KEEP_ALIVE_PONG_TIMEOUT_MS = 1_000;
const OPEN = 1;

/**
 * The client side of tRPC 11's WebSocket protocol, as `server/bridge/socket-protocol.ts`
 * speaks it and as `@trpc/client`'s `createWSClient` behaves, in what
 * Statehouse needs of it:
 *
 * - Each socket's URL carries `connectionParams=1`; its first frame is the
 *   params (`{ method: 'connectionParams', data }`).
 * - Calls are `{ id, method, params: { path, input } }` frames; calls made
 *   while no socket is open wait for the next one.
 * - A query or mutation in flight when its socket drops fails
 *   (`'WebSocket closed'`); it is not sent again, since a mutation may have
 *   run. A subscription is sent again on the next socket, with the id of
 *   its last tracked event as `lastEventId`.
 * - A lost socket is replaced after `retryDelayMs(attempt)`; the attempt
 *   count starts over once a socket opens, unless the server refused the
 *   last one's context (an `id: null` error), which carries the backoff on.
 * - The server's `{ method: 'reconnect' }` opens a new socket while the
 *   current one keeps serving: new calls use it until the new one is open,
 *   calls in flight are answered on it, and each subscription stays on it
 *   until the new socket has `started` it. The old socket then closes.
 * - Keep-alive, when enabled, pings after silence and closes a socket that
 *   stays silent. A server `PING` is answered with `PONG`.
 */
export function createStateSocket(options: StateSocketOptions): StateSocket {
  const { keepAlive } = options;
  /** The socket calls go to: open, its params sent. */
  let active: WebSocket | null = null;
  /** The socket being opened (or the wait before it), replacing `active` once open. */
  let opening = false;
  let next: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  /** The server answered the last socket's params with an `id: null` error (its context failed). */
  let refused = false;
  let closed = false;
  let lastId = 0;
  const pending = new Map<number, Pending>();
  const lost = new WeakSet<WebSocket>();
  const silence = new WeakMap<WebSocket, () => void>();

  const setStatus = (status: ConnectionStatus): void => options.onStatus(status);
  const sendOn = (ws: WebSocket | null, frame: unknown): boolean => {
    if (ws === null || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  };

  /** Opens a socket after `delayMs`; it replaces `active` once its params are sent. */
  function open(delayMs: number): void {
    if (opening || closed) return;
    opening = true;
    retryTimer = setTimeout(async () => {
      let ws: WebSocket;
      try {
        const url = await options.url();
        if (closed) return;
        const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
        ws = new WebSocketImpl(`${url}${url.includes('?') ? '&' : '?'}connectionParams=1`);
      } catch {
        opening = false;
        return open(options.retryDelayMs(attempt++));
      }
      next = ws;
      ws.addEventListener('open', () => {
        if (closed) return ws.close();
        try {
          ws.send(JSON.stringify({ method: 'connectionParams', data: options.connectionParams() }));
        } catch {
          return ws.close();
        }
        adopt(ws);
      });
      ws.addEventListener('message', (event) => receive(ws, event.data));
      ws.addEventListener('close', (event) => drop(ws, event));
      ws.addEventListener('error', (event) => drop(ws, event));
    }, delayMs);
  }

  /** `ws` is open and has its params: calls go to it from now on. */
  function adopt(ws: WebSocket): void {
    const previous = active;
    next = null;
    opening = false;
    active = ws;
    if (keepAlive?.enabled) watch(ws);
    setStatus('open');
    for (const request of [...pending.values()]) {
      if (request.ws === null) {
        if (request.message.method === 'subscription') renumber(request);
        send(request);
      } else if (request.message.method === 'subscription' && request.ws === previous) {
        // Asked to move by the server: the old socket runs it until the new one has started it.
        request.from = { ws: request.ws, id: request.message.id };
        request.seen = new Set();
        // Its old id stays known until the move is done: the old socket's frames still arrive under it.
        request.message.id = ++lastId;
        pending.set(request.message.id, request);
        send(request);
      }
    }
    if (previous !== null) closeIfIdle(previous);
  }

  /** A subscription sent again gets a new id: late frames for the old one must not reach it. */
  function renumber(request: Pending): void {
    if (pending.get(request.message.id) === request) pending.delete(request.message.id);
    request.message.id = ++lastId;
    pending.set(request.message.id, request);
  }

  function send(request: Pending): void {
    if (sendOn(active, request.message)) request.ws = active;
    else {
      request.ws = null;
      if (active === null) open(0);
    }
  }

  function receive(ws: WebSocket, data: unknown): void {
    silence.get(ws)?.();
    if (data === 'PING') return void ws.send('PONG');
    if (data === 'PONG' || typeof data !== 'string') return;
    let message: WireResult;
    try {
      message = JSON.parse(data) as WireResult;
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if (message.method !== undefined) {
      if (message.method === 'reconnect' && ws === active) open(options.retryDelayMs(0));
      return;
    }
    const current = ws === active || ws === next;
    if (current && message.id === null && message.error) refused = true;
    else if (current && message.result) refused = false;
    const request = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (request?.from?.ws === ws && request.from.id === message.id) {
      fromOldSocket(request, message);
      return;
    }
    if (request === undefined || request.ws !== ws) return;
    const { result, error } = message;
    if (error) {
      finish(request);
      request.handlers.error(new StateClientError(String(error.message), { shape: error }));
      return;
    }
    if (request.message.method !== 'subscription') {
      finish(request);
      request.handlers.data(result?.data);
      return;
    }
    if (result?.type === 'started') {
      const move = request.from;
      if (move === null) {
        request.handlers.started?.();
        return;
      }
      request.from = null;
      sendOn(move.ws, { id: move.id, method: 'subscription.stop' });
      pending.delete(move.id);
      closeIfIdle(move.ws);
    } else if (result?.type === 'stopped') {
      finish(request);
      request.handlers.stopped?.();
    } else if (result !== undefined) {
      if (result.id !== undefined) {
        const eventId = String(result.id);
        // Delivered already by the socket it moved from.
        if (request.seen?.delete(eventId)) return;
        request.message.params.lastEventId = eventId;
      }
      request.handlers.data(result.data);
    }
  }

  /** Until the new socket has started a moving subscription, its events come from the old one. */
  function fromOldSocket(request: Pending, message: WireResult): void {
    const result = message.result;
    if (result?.type !== 'data') return;
    if (result.id !== undefined) {
      request.seen?.add(String(result.id));
      request.message.params.lastEventId = String(result.id);
    }
    request.handlers.data(result.data);
  }

  function finish(request: Pending): void {
    pending.delete(request.message.id);
    if (request.from !== null) pending.delete(request.from.id);
    request.settle();
    if (request.ws !== null && request.ws !== active) closeIfIdle(request.ws);
  }

  /** A replaced socket closes once nothing is left on it. */
  function closeIfIdle(ws: WebSocket): void {
    if (ws === active) return;
    for (const request of pending.values()) if (request.ws === ws || request.from?.ws === ws) return;
    ws.close();
  }

  /** `ws` closed or failed: its queries and mutations fail, its subscriptions wait for the next socket. */
  function drop(ws: WebSocket, event: Event): void {
    if (lost.has(ws)) return;
    lost.add(ws);
    if (ws.readyState !== 3 && ws.readyState !== 2) ws.close();
    const wasActive = ws === active;
    const wasNext = ws === next;
    if (wasActive) active = null;
    if (wasNext) {
      next = null;
      opening = false;
    }
    const abandoned: WebSocket[] = [];
    for (const request of [...pending.values()]) {
      if (request.from?.ws === ws) {
        pending.delete(request.from.id);
        request.from = null;
        request.seen = null;
      }
      if (request.ws !== ws) continue;
      if (request.message.method === 'subscription') {
        if (request.from !== null) {
          // Its move never finished; the old socket stops it and the next socket starts it again.
          sendOn(request.from.ws, { id: request.from.id, method: 'subscription.stop' });
          abandoned.push(request.from.ws);
          pending.delete(request.from.id);
          request.from = null;
          request.seen = null;
        }
        request.ws = null;
        continue;
      }
      finish(request);
      request.handlers.error(new StateClientError('WebSocket closed', { cause: event }));
    }
    for (const old of abandoned) closeIfIdle(old);
    if (closed || !(wasActive || wasNext)) return;
    if (active === null) setStatus('connecting');
    // The backoff starts over for a socket that served, unless the server refused its context.
    if (wasActive && !refused) attempt = 0;
    // A lost replacement is tried again while the old socket still serves; a lost active socket is replaced.
    open(options.retryDelayMs(attempt++));
  }

  /** Keep-alive: any frame is a sign of life; silence past the interval gets a `PING`, then a close. */
  function watch(ws: WebSocket): void {
    const intervalMs = keepAlive?.intervalMs ?? KEEP_ALIVE_INTERVAL_MS;
    const pongTimeoutMs = keepAlive?.pongTimeoutMs ?? KEEP_ALIVE_PONG_TIMEOUT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (ws.readyState !== OPEN) return;
        ws.send('PING');
        timer = setTimeout(() => ws.close(), pongTimeoutMs);
      }, intervalMs);
    };
    silence.set(ws, arm);
    ws.addEventListener('close', () => clearTimeout(timer));
    arm();
  }

  function call(type: CallType, path: string, input: unknown, handlers: CallHandlers): () => void {
    if (closed) {
      handlers.error(new StateClientError('The state client is closed'));
      return () => undefined;
    }
    let settle = (): void => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const request: Pending = {
      message: { id: ++lastId, method: type, params: { path, input } },
      handlers,
      ws: null,
      done,
      settle,
      from: null,
      seen: null,
    };
    pending.set(request.message.id, request);
    send(request);
    return () => {
      if (pending.get(request.message.id) !== request) return;
      if (type === 'subscription') {
        sendOn(request.ws, { id: request.message.id, method: 'subscription.stop' });
        if (request.from !== null) sendOn(request.from.ws, { id: request.from.id, method: 'subscription.stop' });
      }
      const from = request.from?.ws;
      finish(request);
      if (from) closeIfIdle(from);
    };
  }

  function reconnect(): void {
    // The socket being replaced, or the one still opening.
    (active ?? next)?.close();
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearTimeout(retryTimer);
    const inFlight: Promise<void>[] = [];
    for (const request of [...pending.values()]) {
      if (request.message.method === 'subscription') {
        finish(request);
        request.handlers.stopped?.();
      } else if (request.ws === null) {
        finish(request);
        request.handlers.error(new StateClientError('Closed before the connection was established'));
      } else inFlight.push(request.done);
    }
    await Promise.all(inFlight);
    next?.close();
    active?.close();
    active = null;
    setStatus('closed');
  }

  open(0);
  return { call, reconnect, close };
}
