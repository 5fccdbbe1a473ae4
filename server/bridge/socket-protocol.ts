import { getTRPCErrorFromUnknown, getTRPCErrorShape, isTrackedEnvelope, TRPCError, type AnyRouter } from '@trpc/server';
import { isAsyncIterable, isObject, parseConnectionParamsFromUnknown, parseTRPCMessage } from '@trpc/server/unstable-core-do-not-import';
import { tooManyRequests } from '../errors';
import { callProcedureChain } from './procedure-chain';
import { isPushSource, PUSH_SOURCE, type PushSink, type PushSource } from './push-source';

/** What a procedure call was, for error reports (`'unknown'` before a message is understood). */
export type CallType = 'query' | 'mutation' | 'subscription' | 'unknown';

/** One failure on a socket, as `onError` sees it. */
export interface SocketErrorInfo<TContext> {
  error: TRPCError;
  path: string | undefined;
  type: CallType;
  ctx: TContext | undefined;
  input: unknown;
}

export interface SocketProtocolOptions<TContext> {
  router: AnyRouter;
  /** Calls in one batch frame at most; a larger batch is refused whole. */
  maxBatchSize: number;
  /** Every failed call, refused frame and context failure. Must not throw; a throw is ignored. */
  onError?(info: SocketErrorInfo<TContext>): void;
  /**
   * Sees each call of a frame, in order, before any of them runs (the
   * transport follows route reports with it). Must not throw.
   */
  onCall?(sink: SocketSink, call: CallMessage): void;
}

/** The part of a Bun `ServerWebSocket` a connection writes to. */
export interface SocketSink {
  readonly readyState: number;
  send(frame: string): unknown;
  close(code?: number, reason?: string): void;
}

/** Whether an upgrade request announces connection params (`?connectionParams=1`): its first frame carries them. */
export function expectsConnectionParams(request: Request): boolean {
  return new URL(request.url).searchParams.get('connectionParams') === '1';
}

/**
 * A connection's message budget (a token bucket, such as `Connection`'s own).
 * Every frame that makes the server work spends one: each call of a frame
 * (known path or not), a `PING`, a frame that does not parse, a
 * `subscription.stop` naming no running subscription. Only a stop that ends
 * a running subscription is free: it ends work.
 */
export interface MessageMeter {
  /** Spends one message at `now` (`performance.now()` ms, read when omitted); `false` when the budget is empty. */
  take(now?: number): boolean;
  /** Seconds until one message is available again. */
  retryAfter(): number;
}

/** Builds a connection's context from its connection params (`null` when none were announced). */
export interface ContextSource<TContext> {
  createContext(connectionParams: Record<string, string | undefined> | null): TContext | Promise<TContext>;
}

type RequestId = number | string;
type JsonRpc = '2.0' | undefined;

export interface CallMessage {
  id: RequestId | null;
  jsonrpc: JsonRpc;
  method: 'query' | 'mutation' | 'subscription' | 'subscription.stop';
  params?: { path: string; input: unknown; lastEventId?: string };
}

/** A call as error reports name it. */
type CallInfo = { path: string | undefined; type: CallType; input: unknown };

/** A context that could not be built: every call on the socket answers its error. */
class ContextFailure {
  constructor(readonly error: TRPCError) {}
}

/** A built context is kept as it is (no wrapper per connection); a failure as a {@link ContextFailure}. */
type Settled<T> = T | ContextFailure;

const OPEN = 1;

/** What the client gets when even the error formatter fails: nothing about the error. */
const FALLBACK_ERROR_SHAPE = {
  code: -32603,
  message: 'Internal server error',
  data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 },
};

/**
 * The server side of tRPC v11's WebSocket protocol (what `@trpc/client`'s
 * `wsLink` speaks), written for Bun's `ServerWebSocket` and for the way
 * Statehouse uses it. Frames, batching, connection params, keep-alive
 * `PING`/`PONG`, error shapes (through the router's `errorFormatter`),
 * subscriptions with `started`/`stopped`, `subscription.stop`, tracked
 * events and `lastEventId` behave as in tRPC's `getWSConnectionHandler`.
 *
 * It exists for memory and CPU: tRPC's handler keeps about 7 KB of closures
 * and promises per connection (most of it per subscription, for observables
 * and disposable resources) and builds an `AbortController` per call. Here a
 * connection is one small object, a query or mutation gets no signal (tRPC's
 * handler never aborts one either), a subscription's signal is made only
 * when its procedure reads it, and a subscription is one loop, or, over a
 * push source (`push-source.ts`, the tab's state stream), one small object
 * the source hands its values to. Async generators and other async
 * iterables are the subscription results it takes; legacy observables are
 * refused with a clear error.
 */
export class SocketProtocol<TContext extends object> {
  private readonly config: AnyRouter['_def']['_config'];

  constructor(readonly options: SocketProtocolOptions<TContext>) {
    this.config = options.router._def._config;
  }

  /**
   * A connection's protocol state. `source.createContext` runs once, with
   * the connection params when `expectConnectionParams` (the URL carries
   * `connectionParams=1`: the first frame holds them), else at once with `null`.
   * With a `meter`, calls past its budget answer TOO_MANY_REQUESTS without
   * running, and `PING`s and unparsable frames past it go unanswered.
   */
  connect(
    sink: SocketSink,
    expectConnectionParams: boolean,
    source: ContextSource<TContext>,
    meter: MessageMeter | null = null,
  ): SocketConnection<TContext> {
    return new SocketConnection(this, sink, source, expectConnectionParams, meter);
  }

  /** Serializes and sends one response, if the socket is still open. */
  respond(sink: SocketSink, id: RequestId | null, jsonrpc: JsonRpc, result: { type: string; data?: unknown; id?: string }): void {
    if (sink.readyState !== OPEN) return;
    if ('data' in result) result.data = this.config.transformer.output.serialize(result.data);
    sink.send(JSON.stringify(jsonrpc ? { id, jsonrpc, result } : { id, result }));
  }

  /** Reports `cause` and answers it as an error response. */
  respondWithError(
    sink: SocketSink,
    ctx: TContext | undefined,
    id: RequestId | null,
    jsonrpc: JsonRpc,
    call: CallInfo,
    cause: unknown,
  ): void {
    const error = this.report(cause, ctx, call);
    if (sink.readyState !== OPEN) return;
    let shape: unknown;
    try {
      shape = this.config.transformer.output.serialize(
        getTRPCErrorShape({ config: this.config, error, type: call.type, path: call.path, input: call.input, ctx }),
      );
    } catch (formatFailure) {
      this.report(formatFailure, ctx, call);
      shape = FALLBACK_ERROR_SHAPE;
    }
    sink.send(JSON.stringify(jsonrpc ? { id, jsonrpc, error: shape } : { id, error: shape }));
  }

  /** Hands a failure to `onError` (which must not take the process down). */
  report(cause: unknown, ctx: TContext | undefined, call: CallInfo): TRPCError {
    const error = getTRPCErrorFromUnknown(cause);
    try {
      this.options.onError?.({ error, ctx, ...call });
    } catch {
      // A failing onError must not turn one bad call into a crashed process.
    }
    return error;
  }
}

const UNKNOWN_CALL = { path: undefined, type: 'unknown', input: undefined } as const;

/** What a subscription over a push source reports to (its socket's {@link SocketConnection}). */
interface SubscriptionOwner {
  sendValue(sub: Subscription, value: unknown): void;
  endPushed(sub: Subscription, source: PushSource<unknown>, failure: { cause: unknown } | null): void;
}

/**
 * One running subscription: its id, what it called, its stop and, made only
 * when the procedure asks for it, its `AbortSignal`. Over a push source
 * (`push-source.ts`) it is also the sink of the source's values, and all
 * an idle subscription keeps.
 */
class Subscription implements PushSink<unknown> {
  stopped = false;
  private controller: AbortController | null = null;
  /** The push source it runs, once handed over. */
  private source: PushSource<unknown> | null = null;

  constructor(
    private readonly owner: SubscriptionOwner,
    readonly id: RequestId,
    readonly jsonrpc: JsonRpc,
    readonly path: string,
    readonly input: unknown,
  ) {}

  /** The signal the procedure sees (`opts.signal`): made on first use, aborted by the stop. */
  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.stopped) this.controller.abort();
    }
    return this.controller.signal;
  }

  /** What error reports name. */
  get call(): CallInfo {
    return { path: this.path, type: 'subscription', input: this.input };
  }

  /** Stops it (`subscription.stop`, the socket closed): its signal aborts, a push source is returned. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.controller?.abort();
    const source = this.source;
    if (source === null) return;
    this.source = null;
    this.owner.endPushed(this, source, null);
  }

  /** Drives `source` from now on: its values reach {@link pushed}. */
  run(source: PushSource<unknown>): void {
    this.source = source;
    source[PUSH_SOURCE](this);
  }

  pushed(value: unknown): void {
    this.owner.sendValue(this, value);
  }

  ended(): void {
    this.finish(null);
  }

  failed(cause: unknown): void {
    this.finish({ cause });
  }

  private finish(failure: { cause: unknown } | null): void {
    const source = this.source;
    if (source === null) return;
    this.source = null;
    this.stopped = true;
    this.controller?.abort();
    this.owner.endPushed(this, source, failure);
  }
}

/** One WebSocket's protocol state: its context and its running subscriptions. */
export class SocketConnection<TContext extends object> {
  /** `null` until the context is asked for (after the connection params when the URL expects them). */
  private context: Promise<Settled<TContext>> | Settled<TContext> | null = null;
  /**
   * The running subscriptions by id: the first in a field (a tab runs one,
   * its state stream), more in a Map. An idle tab pays for neither a Map nor
   * a holder object of its own.
   */
  private firstSubscription: Subscription | null = null;
  private moreSubscriptions: Map<RequestId, Subscription> | null = null;
  private closed = false;

  constructor(
    private readonly protocol: SocketProtocol<TContext>,
    private readonly sink: SocketSink,
    private source: ContextSource<TContext> | null,
    expectConnectionParams: boolean,
    private readonly meter: MessageMeter | null,
  ) {
    if (!expectConnectionParams) this.context = this.createContext(null);
  }

  /** Whether the context is built, or failed: the frames of the connection no longer wait for it. */
  get settled(): boolean {
    const context = this.context;
    return context !== null && !(context instanceof Promise);
  }

  /** The context once built (for error reports), else `undefined`. */
  private get ctx(): TContext | undefined {
    const context = this.context;
    return context === null || context instanceof Promise || context instanceof ContextFailure ? undefined : context;
  }

  /** Sends one result for call `id`. */
  private reply(id: RequestId | null, jsonrpc: JsonRpc, result: { type: string; data?: unknown; id?: string }): void {
    this.protocol.respond(this.sink, id, jsonrpc, result);
  }

  /** Reports `cause` and answers call `id` with it. */
  private fail(id: RequestId | null, jsonrpc: JsonRpc, call: CallInfo, cause: unknown): void {
    this.protocol.respondWithError(this.sink, this.ctx, id, jsonrpc, call, cause);
  }

  /** A frame from the client, received at `now` (`performance.now()` ms, read by the meter when omitted). */
  message(frame: string | Buffer, now?: number): void {
    const text = typeof frame === 'string' ? frame : frame.toString('utf8');
    if (text === 'PING') {
      if (this.meter !== null && !this.meter.take(now)) return;
      if (this.sink.readyState === OPEN) this.sink.send('PONG');
      return;
    }
    if (text === 'PONG') return;
    if (this.context === null) {
      this.context = this.createContext(text);
      return;
    }
    const calls = this.parse(text, now);
    const { onCall } = this.protocol.options;
    if (onCall) for (let i = 0; i < calls.length; i++) onCall(this.sink, calls[i]!);
    for (let i = 0; i < calls.length; i++) {
      this.handle(calls[i]!, i, now).catch((cause: unknown) => this.protocol.report(cause, this.ctx, UNKNOWN_CALL));
    }
  }

  /** The socket closed: every subscription stops. */
  close(): void {
    this.closed = true;
    const first = this.firstSubscription;
    const more = this.moreSubscriptions;
    this.firstSubscription = null;
    this.moreSubscriptions = null;
    first?.stop();
    if (more) for (const subscription of [...more.values()]) subscription.stop();
  }

  /** The running subscription under `id`, if any. */
  private subscription(id: RequestId): Subscription | undefined {
    const first = this.firstSubscription;
    return first !== null && first.id === id ? first : this.moreSubscriptions?.get(id);
  }

  /** Adds `sub` (the caller has checked its id is not running). */
  private addSubscription(sub: Subscription): void {
    if (this.firstSubscription === null) this.firstSubscription = sub;
    else (this.moreSubscriptions ??= new Map()).set(sub.id, sub);
  }

  /** Removes `sub`, if it is the one running under its id. */
  private deleteSubscription(sub: Subscription): void {
    if (this.firstSubscription === sub) this.firstSubscription = null;
    else if (this.moreSubscriptions?.get(sub.id) === sub) this.moreSubscriptions.delete(sub.id);
  }

  /** Builds the context once; on failure answers `id: null` with the error and closes the socket. */
  private createContext(paramsFrame: string | null): Promise<Settled<TContext>> | Settled<TContext> {
    const settle = (value: TContext): Settled<TContext> => (this.context = value);
    const fail = (cause: unknown): Settled<TContext> => {
      const error = getTRPCErrorFromUnknown(cause);
      this.protocol.respondWithError(this.sink, undefined, null, undefined, UNKNOWN_CALL, error);
      setTimeout(() => this.sink.close(), 0);
      return (this.context = new ContextFailure(error));
    };
    try {
      let params: Record<string, string | undefined> | null = null;
      if (paramsFrame !== null) {
        let msg: unknown;
        try {
          msg = JSON.parse(paramsFrame);
          if (!isObject(msg)) throw new Error('Message was not an object');
        } catch (cause) {
          throw new TRPCError({ code: 'PARSE_ERROR', message: 'Malformed TRPCConnectionParamsMessage', cause });
        }
        params = parseConnectionParamsFromUnknown(msg.data);
      }
      const source = this.source!;
      this.source = null; // used once: an idle connection does not keep it
      const created = source.createContext(params);
      return created instanceof Promise ? created.then(settle, fail) : settle(created);
    } catch (cause) {
      return fail(cause);
    }
  }

  /** A frame's calls, or none when it is refused (answered here). */
  private parse(text: string, now: number | undefined): CallMessage[] {
    const { transformer } = this.protocol.options.router._def._config;
    try {
      const json: unknown = JSON.parse(text);
      if (!Array.isArray(json)) return [parseTRPCMessage(json, transformer) as CallMessage];
      if (json.length > this.protocol.options.maxBatchSize) {
        if (this.meter === null || this.meter.take(now)) this.refuseBatch(json);
        return [];
      }
      return json.map((raw) => parseTRPCMessage(raw, transformer) as CallMessage);
    } catch (cause) {
      if (this.meter === null || this.meter.take(now))
        this.fail(null, undefined, UNKNOWN_CALL, new TRPCError({ code: 'PARSE_ERROR', cause }));
      return [];
    }
  }

  /** An oversized batch: every call in it that has an id gets the error (or one `id: null` answer). */
  private refuseBatch(raws: unknown[]): void {
    const error = new TRPCError({ code: 'BAD_REQUEST', message: 'Batch call exceeds maximum size' });
    let answered = false;
    for (const raw of raws) {
      if (!isObject(raw) || raw.method === 'subscription.stop') continue;
      if (typeof raw.id !== 'number' && typeof raw.id !== 'string') continue;
      this.fail(raw.id, raw.jsonrpc === '2.0' ? '2.0' : undefined, UNKNOWN_CALL, error);
      answered = true;
    }
    if (!answered) this.fail(null, undefined, UNKNOWN_CALL, error);
  }

  private async handle(msg: CallMessage, batchIndex: number, now: number | undefined): Promise<void> {
    const { id, jsonrpc } = msg;
    if (msg.method === 'subscription.stop' && id !== null) {
      // Free only when it ends real work; a stop naming nothing spends the budget.
      const running = this.subscription(id);
      if (running) {
        running.stop();
        return;
      }
      this.meter?.take(now);
      return;
    }
    // Before the path is looked up: a call to no procedure spends the budget too.
    if (this.meter !== null && !this.meter.take(now)) {
      const refused = { path: msg.params?.path, type: 'unknown', input: undefined } as const;
      this.fail(id, jsonrpc, refused, tooManyRequests(this.meter.retryAfter(), 'Too many messages on this connection.'));
      return;
    }
    // A call, or a stop, without an id.
    if (id === null || msg.method === 'subscription.stop') {
      this.fail(id, jsonrpc, UNKNOWN_CALL, new TRPCError({ code: 'PARSE_ERROR', message: '`id` is required' }));
      return;
    }
    const type = msg.method;
    const { path, lastEventId } = msg.params!;
    let { input } = msg.params!;
    if (lastEventId !== undefined) input = isObject(input) ? { ...input, lastEventId } : (input ?? { lastEventId });
    if (type === 'subscription') {
      if (this.subscription(id) !== undefined) {
        this.fail(id, jsonrpc, { path, type, input }, new TRPCError({ code: 'BAD_REQUEST', message: `Duplicate id ${id}` }));
        return;
      }
      // Not awaited: the call that started a subscription is done once it runs (it answers its own errors).
      void this.subscribe(new Subscription(this, id, jsonrpc, path, input), batchIndex);
      return;
    }
    const call = { path, type, input };
    // Awaited only while it is being built: a settled context costs no extra tick per call.
    const context = this.context instanceof Promise ? await this.context : this.context!;
    try {
      if (context instanceof ContextFailure) throw context.error;
      const result: unknown = await callProcedureChain({
        router: this.protocol.options.router,
        path,
        input,
        ctx: context,
        type,
        signal: undefined,
        signalOf: undefined,
        batchIndex,
      });
      if (isAsyncIterable(result) || isObservableLike(result)) {
        throw new TRPCError({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `Cannot return an async iterable or observable from a ${type} procedure with WebSockets`,
        });
      }
      this.reply(id, jsonrpc, { type: 'data', data: result });
    } catch (cause) {
      this.fail(id, jsonrpc, call, cause);
    }
  }

  /**
   * Runs one subscription from `started` to `stopped`; never rejects
   * (failures are answered or reported). A push source is handed to the
   * subscription once started, and this function ends there; any other
   * async iterable is pulled here, one pending `next()` at a time.
   */
  private async subscribe(sub: Subscription, batchIndex: number): Promise<void> {
    this.addSubscription(sub);
    let iterator: AsyncIterator<unknown> | null = null;
    let started = false;
    let refused = false;
    let handedOver = false;
    try {
      // Awaited only while it is being built: a settled context costs no extra tick per call.
      const context = this.context instanceof Promise ? await this.context : this.context!;
      if (context instanceof ContextFailure) throw context.error;
      if (sub.stopped || this.closed) return;
      const result: unknown = await callProcedureChain({
        router: this.protocol.options.router,
        path: sub.path,
        input: sub.input,
        ctx: context,
        type: 'subscription',
        signal: undefined,
        signalOf: sub,
        batchIndex,
      });
      if (!isAsyncIterable(result)) {
        throw new TRPCError({
          code: 'INTERNAL_SERVER_ERROR',
          message: `Subscription ${sub.path} did not return an async generator (observables are not supported on this socket)`,
        });
      }
      iterator = result[Symbol.asyncIterator]();
      if (sub.stopped || this.closed) return;
      this.reply(sub.id, sub.jsonrpc, { type: 'started' });
      started = true;
      if (isPushSource(iterator)) {
        handedOver = true;
        sub.run(iterator);
        return;
      }
      // One pending wait at a time: answered by the iterator or by the stop, never both retained.
      const { signal } = sub;
      let interrupt: ((value: 'stop') => void) | null = null;
      signal.addEventListener('abort', () => interrupt?.('stop'), { once: true });
      while (!sub.stopped) {
        const next = await new Promise<IteratorResult<unknown> | 'stop'>((resolve, reject) => {
          interrupt = resolve;
          // A rejection after the stop won settles nothing: a stopped generator's failure is not news.
          iterator!.next().then(resolve, reject);
        });
        interrupt = null;
        if (next === 'stop' || next.done) break;
        this.sendValue(sub, next.value);
      }
    } catch (cause) {
      // A subscription stopped while it was being set up ends quietly, as in tRPC.
      if (!sub.stopped || !isAbortLike(cause)) {
        this.fail(sub.id, sub.jsonrpc, sub.call, cause);
        refused = !started;
      }
      sub.stop();
    } finally {
      if (!handedOver) {
        this.deleteSubscription(sub);
        sub.stop();
        if (iterator !== null) this.returnIterator(iterator, sub);
      }
    }
    // A refused subscription got its error instead; every other one ends with `stopped`.
    if (!refused && !handedOver) this.replyStopped(sub);
  }

  /** One value of subscription `sub` for the client (a tracked one with its id). */
  sendValue(sub: Subscription, value: unknown): void {
    if (isTrackedEnvelope(value)) {
      const [trackedId, data] = value;
      this.reply(sub.id, sub.jsonrpc, { type: 'data', id: trackedId, data: { id: trackedId, data } });
    } else {
      this.reply(sub.id, sub.jsonrpc, { type: 'data', data: value });
    }
  }

  /** A subscription over a push source is over: stopped, ended by its source, or failed (`failure`). */
  endPushed(sub: Subscription, source: PushSource<unknown>, failure: { cause: unknown } | null): void {
    if (failure !== null) this.fail(sub.id, sub.jsonrpc, sub.call, failure.cause);
    this.deleteSubscription(sub);
    this.returnIterator(source, sub);
    this.replyStopped(sub);
  }

  /** Ends `iterator`, not awaited: a generator waiting on something other than its signal finishes when that settles. */
  private returnIterator(iterator: AsyncIterator<unknown>, sub: Subscription): void {
    iterator.return?.().catch((cause: unknown) => {
      if (!isAbortLike(cause)) this.protocol.report(cause, this.ctx, sub.call);
    });
  }

  private replyStopped(sub: Subscription): void {
    try {
      this.reply(sub.id, sub.jsonrpc, { type: 'stopped' });
    } catch (cause) {
      this.protocol.report(cause, this.ctx, sub.call);
    }
  }
}

function isObservableLike(value: unknown): boolean {
  return isObject(value) && typeof value.subscribe === 'function' && typeof value.pipe === 'function';
}

function isAbortLike(cause: unknown): boolean {
  const inner = cause instanceof TRPCError ? cause.cause : cause;
  return isObject(inner) && inner.name === 'AbortError';
}
