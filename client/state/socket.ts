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
  /** How long `close()` waits for calls in flight before failing them. @default 5000 */
  closeTimeoutMs?: number;
  /** Hears every change of the connection status. */
  onStatus(status: ConnectionStatus): void;
  /**
   * Hears what the socket client cannot hand to a call: a failed connection
   * attempt (the URL, the WebSocket constructor, the connection params) and a
   * callback that threw. @default rethrown from a timer (the page's `error` event)
   */
  onError?(error: unknown, source: string): void;
}

export interface StateSocket {
  /**
   * Sends a call (now, or once a socket is open) and returns its cancel: a
   * subscription is stopped, a query or mutation fails with `'Cancelled'`.
   * An input that is no JSON (a BigInt, a cycle) fails the call at once.
   */
  call(type: CallType, path: string, input: unknown, handlers: CallHandlers): () => void;
  /**
   * Replaces the connection now: the current socket closes (its queries and
   * mutations in flight fail with `'WebSocket closed'`), a socket still
   * opening or a backoff wait is dropped, and a new socket opens at once with
   * fresh URL and params. Subscriptions go on the new socket.
   */
  reconnect(): void;
  /**
   * Stops for good: subscriptions end (`stopped`), calls not sent yet fail,
   * calls in flight get their answers for up to `closeTimeoutMs` (those on a
   * socket that is lost, or still unanswered then, fail with
   * `'The state client is closed'`), then every socket closes. Calls after it
   * fail at once.
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
  /** `message` as JSON, kept current when its id or `lastEventId` changes. */
  wire: string;
  handlers: CallHandlers;
  ws: WebSocket | null;
  /** Settles when the call is over (answered, failed, stopped, cancelled); `close()` waits for it. */
  done: Promise<void>;
  settle(): void;
  /** A subscription moving to a new socket: the one it still runs on, and its id there. */
  from: { ws: WebSocket; id: number } | null;
  /** Ids of tracked events delivered during a move that the new socket must not deliver again. */
  seen: Set<string> | null;
  /** Started already and moving: the new socket's `started` is no news to the caller. */
  moving: boolean;
}

const KEEP_ALIVE_INTERVAL_MS = 5_000;
const KEEP_ALIVE_PONG_TIMEOUT_MS = 1_000;
const CLOSE_TIMEOUT_MS = 5_000;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

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
 *   count starts over once a socket the server accepted is lost, and carries
 *   on after one whose context it refused (an `id: null` error on it before
 *   any result). Only an attempt actually scheduled counts.
 * - The server's `{ method: 'reconnect' }` opens a new socket while the
 *   current one keeps serving: new calls use it until the new one is open,
 *   calls in flight are answered on it, and each subscription stays on it
 *   until the new socket has `started` it (or failed it). The old socket is
 *   then told to stop it, and closes once nothing is left on it.
 * - Keep-alive, when enabled, pings after silence and closes a socket that
 *   stays silent. A server `PING` is answered with `PONG`.
 * - The caller's callbacks run after the client's own bookkeeping for the
 *   event; one that throws is reported (`onError`) and changes nothing here.
 */
export function createStateSocket(options: StateSocketOptions): StateSocket {
  const { keepAlive } = options;
  /** The socket calls go to: open, its params sent. */
  let active: WebSocket | null = null;
  /** A socket is being opened (the wait before it, its URL, or `next` itself), to replace `active`. */
  let opening = false;
  let next: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  /** Bumped by `reconnect()`: a socket begun before it is not adopted. */
  let generation = 0;
  let closed = false;
  let lastId = 0;
  const pending = new Map<number, Pending>();
  /** Every socket made and not lost yet: `close()` closes them all. */
  const live = new Set<WebSocket>();
  const lost = new WeakSet<WebSocket>();
  /** Sockets whose context the server refused (an `id: null` error before any result). */
  const refused = new WeakSet<WebSocket>();
  /** Sockets that answered a call: a later `id: null` error on them is no refusal of their context. */
  const served = new WeakSet<WebSocket>();
  const silence = new WeakMap<WebSocket, () => void>();

  /** The caller's code, run apart: a throw is reported and never stops the client's own work. */
  const user = (run: () => void): void => {
    try {
      run();
    } catch (error) {
      report(error, 'a state socket callback threw');
    }
  };
  function report(error: unknown, source: string): void {
    try {
      if (options.onError) {
        options.onError(error, source);
        return;
      }
    } catch (thrown) {
      error = thrown;
    }
    // Out of the way, from a timer: the page's `error` event hears it.
    setTimeout(() => {
      throw error;
    }, 0);
  }
  const setStatus = (status: ConnectionStatus): void => user(() => options.onStatus(status));
  const sendOn = (ws: WebSocket | null, frame: string): boolean => {
    if (ws === null || ws.readyState !== OPEN) return false;
    ws.send(frame);
    return true;
  };
  const stopFrame = (id: number): string => `{"id":${id},"method":"subscription.stop"}`;

  /** Schedules the next attempt with the backoff, counting it. */
  function retry(): void {
    if (opening || closed) return;
    open(options.retryDelayMs(attempt++));
  }

  /** Opens a socket after `delayMs`; it replaces `active` once its params are sent. */
  function open(delayMs: number): void {
    if (opening || closed) return;
    opening = true;
    const begun = generation;
    const current = (): boolean => !closed && begun === generation;
    retryTimer = setTimeout(async () => {
      let ws: WebSocket;
      try {
        const url = await options.url();
        if (!current()) return;
        const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
        ws = new WebSocketImpl(`${url}${url.includes('?') ? '&' : '?'}connectionParams=1`);
      } catch (error) {
        if (!current()) return;
        report(error, 'could not open the state socket');
        opening = false;
        return retry();
      }
      next = ws;
      live.add(ws);
      ws.addEventListener('open', () => {
        if (!current()) return void ws.close();
        let params: string;
        try {
          params = JSON.stringify({ method: 'connectionParams', data: options.connectionParams() });
        } catch (error) {
          report(error, 'could not read the connection params');
          return void ws.close();
        }
        ws.send(params);
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
    const failed: [Pending, StateClientError][] = [];
    const abandoned = new Set<WebSocket>();
    for (const request of new Set(pending.values())) {
      try {
        if (request.ws === null) {
          if (request.message.method === 'subscription') renumber(request);
          send(request);
        } else if (request.message.method === 'subscription' && request.ws === previous) {
          // Asked to move by the server: the old socket runs it until the new one has started it.
          if (request.from !== null) {
            // Still moving from an earlier socket: that one stops it now.
            sendOn(request.from.ws, stopFrame(request.from.id));
            pending.delete(request.from.id);
            abandoned.add(request.from.ws);
          }
          request.from = { ws: request.ws, id: request.message.id };
          request.seen ??= new Set();
          request.moving = true;
          // Its old id stays known until the move is done: the old socket's frames still arrive under it.
          renumber(request, false);
          send(request);
        }
      } catch (cause) {
        finish(request);
        failed.push([request, new StateClientError('The call could not be sent', { cause })]);
      }
    }
    for (const old of abandoned) closeIfIdle(old);
    if (previous !== null) closeIfIdle(previous);
    setStatus('open');
    for (const [request, error] of failed) user(() => request.handlers.error(error));
  }

  /** A subscription sent again gets a new id: late frames for the old one must not reach it. */
  function renumber(request: Pending, forgetOld = true): void {
    if (forgetOld && pending.get(request.message.id) === request) pending.delete(request.message.id);
    request.message.id = ++lastId;
    request.wire = JSON.stringify(request.message);
    pending.set(request.message.id, request);
  }

  function send(request: Pending): void {
    if (sendOn(active, request.wire)) request.ws = active;
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
    if (message.id === null && message.error && !served.has(ws)) refused.add(ws);
    else if (message.result) served.add(ws);
    const request = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (request?.from?.ws === ws && request.from.id === message.id) {
      fromOldSocket(request, message);
      return;
    }
    if (request === undefined || request.ws !== ws) return;
    const { result, error } = message;
    const { handlers } = request;
    if (error) {
      finish(request);
      const failure = new StateClientError(String(error.message), { shape: error });
      user(() => handlers.error(failure));
      return;
    }
    if (request.message.method !== 'subscription') {
      finish(request);
      user(() => handlers.data(result?.data));
      return;
    }
    if (result?.type === 'started') {
      const move = request.from;
      const moved = request.moving;
      request.moving = false;
      if (move !== null) {
        request.from = null;
        sendOn(move.ws, stopFrame(move.id));
        pending.delete(move.id);
        closeIfIdle(move.ws);
      }
      if (!moved) user(() => handlers.started?.());
    } else if (result?.type === 'stopped') {
      finish(request);
      user(() => handlers.stopped?.());
    } else if (result !== undefined) {
      if (result.id !== undefined) {
        const eventId = String(result.id);
        // Delivered already by the socket it moved from.
        if (request.seen?.delete(eventId)) return;
        request.message.params.lastEventId = eventId;
        request.wire = JSON.stringify(request.message);
      }
      user(() => handlers.data(result.data));
    }
  }

  /** Until the new socket has started a moving subscription, its events come from the old one. */
  function fromOldSocket(request: Pending, message: WireResult): void {
    const result = message.result;
    if (result?.type !== 'data') return;
    if (result.id !== undefined) {
      request.seen?.add(String(result.id));
      request.message.params.lastEventId = String(result.id);
      request.wire = JSON.stringify(request.message);
    }
    user(() => request.handlers.data(result.data));
  }

  /** The call is over: forgotten under every id, stopped on a socket it was moving from, its sockets closed when idle. */
  function finish(request: Pending): void {
    pending.delete(request.message.id);
    const from = request.from;
    request.from = null;
    if (from !== null) {
      pending.delete(from.id);
      sendOn(from.ws, stopFrame(from.id));
      closeIfIdle(from.ws);
    }
    request.settle();
    if (request.ws !== null && request.ws !== active) closeIfIdle(request.ws);
  }

  /** A replaced socket closes once nothing is left on it. */
  function closeIfIdle(ws: WebSocket): void {
    if (ws === active || ws === next) return;
    for (const request of pending.values()) if (request.ws === ws || request.from?.ws === ws) return;
    ws.close();
  }

  /**
   * `ws` closed or failed: its queries and mutations fail, its subscriptions
   * wait for the next socket. A lost active socket or replacement is
   * replaced after the backoff, unless `reopen` is false.
   */
  function drop(ws: WebSocket, event: Event, reopen = true): void {
    if (lost.has(ws)) return;
    lost.add(ws);
    live.delete(ws);
    if (ws.readyState !== CLOSED && ws.readyState !== CLOSING) ws.close();
    const wasActive = ws === active;
    const wasNext = ws === next;
    if (wasActive) active = null;
    if (wasNext) {
      next = null;
      opening = false;
    }
    const failed: Pending[] = [];
    const abandoned = new Set<WebSocket>();
    for (const request of new Set(pending.values())) {
      if (request.from?.ws === ws) {
        // The socket it was moving from is gone: the new one carries on, and what was delivered stays delivered.
        pending.delete(request.from.id);
        request.from = null;
      }
      if (request.ws !== ws) continue;
      if (request.message.method === 'subscription') {
        if (request.from !== null) {
          // Its move never finished; the old socket stops it and the next socket starts it again.
          sendOn(request.from.ws, stopFrame(request.from.id));
          abandoned.add(request.from.ws);
          pending.delete(request.from.id);
          request.from = null;
        }
        request.seen = null;
        request.moving = false;
        request.ws = null;
        continue;
      }
      finish(request);
      failed.push(request);
    }
    for (const old of abandoned) closeIfIdle(old);
    const replace = reopen && !closed && (wasActive || wasNext);
    if (replace) {
      // The backoff starts over after a socket that served, unless the server refused its context.
      if (wasActive && !refused.has(ws)) attempt = 0;
      // A lost replacement is tried again while the old socket still serves; a lost active socket is replaced.
      retry();
    }
    if (replace && active === null) setStatus('connecting');
    for (const request of failed) {
      const error = new StateClientError(closed ? 'The state client is closed' : 'WebSocket closed', { cause: event });
      user(() => request.handlers.error(error));
    }
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
    const fail = (message: string, cause?: unknown): (() => void) => {
      const error = new StateClientError(message, { cause });
      user(() => handlers.error(error));
      return () => undefined;
    };
    if (closed) return fail('The state client is closed');
    const message = { id: ++lastId, method: type, params: { path, input } };
    let wire: string;
    try {
      wire = JSON.stringify(message);
    } catch (cause) {
      return fail('The input cannot be sent as JSON', cause);
    }
    let settle = (): void => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const request: Pending = { message, wire, handlers, ws: null, done, settle, from: null, seen: null, moving: false };
    pending.set(message.id, request);
    send(request);
    return () => {
      if (pending.get(request.message.id) !== request) return;
      if (type === 'subscription') sendOn(request.ws, stopFrame(request.message.id));
      // `finish` stops it on a socket it is moving from.
      finish(request);
      if (type !== 'subscription') {
        const error = new StateClientError('Cancelled');
        user(() => handlers.error(error));
      }
    };
  }

  function reconnect(): void {
    if (closed) return;
    generation++;
    clearTimeout(retryTimer);
    opening = false;
    const stale = [next, active];
    // Neither socket is replaced by its own loss: one fresh socket replaces both.
    next = null;
    const event = new Event('close');
    for (const ws of stale) if (ws !== null) drop(ws, event, false);
    if (active === null) setStatus('connecting');
    open(0);
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearTimeout(retryTimer);
    const ended: Pending[] = [];
    const unsent: Pending[] = [];
    const inFlight: Promise<void>[] = [];
    for (const request of new Set(pending.values())) {
      if (request.message.method === 'subscription') {
        finish(request);
        ended.push(request);
      } else if (request.ws === null) {
        finish(request);
        unsent.push(request);
      } else inFlight.push(request.done);
    }
    for (const request of ended) user(() => request.handlers.stopped?.());
    const error = new StateClientError('Closed before the connection was established');
    for (const request of unsent) user(() => request.handlers.error(error));
    if (next !== null) next.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS)));
    await Promise.race([Promise.all(inFlight), timeout]);
    clearTimeout(timer);
    // Still unanswered: each socket's loss fails what is left on it.
    const event = new Event('close');
    for (const ws of [...live]) drop(ws, event);
    active = null;
    next = null;
    setStatus('closed');
  }

  open(0);
  return { call, reconnect, close };
}
