// Types only: nothing of tRPC's runtime reaches the browser bundle.
import type {
  AnyProcedure,
  AnyRouter,
  inferTRPCClientTypes as inferClientTypes,
  inferProcedureInput,
  inferTransformedProcedureOutput,
  TRPCRouterRecord as RouterRecord,
} from '@trpc/server';
import type { CallType, StateClientError } from './socket';

/** What `subscribe` hears: as `@trpc/client`'s subscription callbacks. */
export interface SubscribeHandlers<TData> {
  /** The server started the subscription (again after each reconnect). */
  onStarted?(): void;
  onData?(value: TData): void;
  /** The subscription failed; it is over. */
  onError?(error: StateClientError): void;
  /** The server ended it, or the client closed. */
  onStopped?(): void;
  /** After `onStopped`: it is over. */
  onComplete?(): void;
}

export interface Unsubscribable {
  unsubscribe(): void;
}

type YieldOf<T> = T extends AsyncIterable<infer TValue> ? TValue : T;

type Decorate<TRouter extends AnyRouter, TProcedure extends AnyProcedure> = {
  query: { query(input: inferProcedureInput<TProcedure>): Promise<inferTransformedProcedureOutput<inferClientTypes<TRouter>, TProcedure>> };
  mutation: {
    mutate(input: inferProcedureInput<TProcedure>): Promise<inferTransformedProcedureOutput<inferClientTypes<TRouter>, TProcedure>>;
  };
  subscription: {
    subscribe(
      input: inferProcedureInput<TProcedure>,
      handlers: SubscribeHandlers<YieldOf<inferTransformedProcedureOutput<inferClientTypes<TRouter>, TProcedure>>>,
    ): Unsubscribable;
  };
}[TProcedure['_def']['type']];

type DecorateRecord<TRouter extends AnyRouter, TRecord extends RouterRecord> = {
  [TKey in keyof TRecord]: TRecord[TKey] extends infer TValue
    ? TValue extends AnyProcedure
      ? Decorate<TRouter, TValue>
      : TValue extends RouterRecord
        ? DecorateRecord<TRouter, TValue>
        : never
    : never;
};

/**
 * The typed client of a router: `trpc.notes.create.mutate(input)`,
 * `trpc.notes.list.query(input)`, `trpc.feed.subscribe(input, handlers)`,
 * typed from the router as `@trpc/client`'s `TRPCClient` is. A query or
 * mutation resolves with the handler's own return value (the state
 * envelope's `data`, once its delta is applied and its actions have run) and
 * rejects with a {@link StateClientError}.
 */
export type StateTrpc<TRouter extends AnyRouter> = DecorateRecord<TRouter, TRouter['_def']['record']>;

/** The untyped calls the proxy turns `trpc.a.b.mutate(input)` into. */
export interface UntypedCalls {
  request(type: Exclude<CallType, 'subscription'>, path: string, input: unknown): Promise<unknown>;
  subscribe(path: string, input: unknown, handlers: SubscribeHandlers<unknown>): Unsubscribable;
}

/** The call a proxy's last key names; nothing for any other key (`toString`, `valueOf`…). */
function callOf(key: string | undefined): CallType | undefined {
  switch (key) {
    case 'query':
      return 'query';
    case 'mutate':
      return 'mutation';
    case 'subscribe':
      return 'subscription';
    default:
      return undefined;
  }
}

/**
 * A proxy turning `trpc.notes.create.mutate(input)` into
 * `calls.request('mutation', 'notes.create', input)`. Reading `then` gives
 * `undefined`, so a proxy can be returned from an async function. Calling
 * anything but `query`, `mutate` or `subscribe` (`String(trpc.notes)` calls
 * `toString`) throws a `TypeError` and sends nothing.
 */
export function createTrpcProxy<TRouter extends AnyRouter>(calls: UntypedCalls): StateTrpc<TRouter> {
  const at = (path: readonly string[]): unknown =>
    new Proxy(() => undefined, {
      get: (_target, key) => (typeof key === 'string' && key !== 'then' ? at([...path, key]) : undefined),
      apply: (_target, _this, args: unknown[]) => {
        const type = callOf(path[path.length - 1]);
        const name = path.slice(0, -1).join('.');
        if (type === undefined || name === '') throw new TypeError(`trpc.${path.join('.')} is not a procedure call`);
        return type === 'subscription'
          ? calls.subscribe(name, args[0], (args[1] ?? {}) as SubscribeHandlers<unknown>)
          : calls.request(type, name, args[0]);
      },
    });
  return at([]) as StateTrpc<TRouter>;
}
