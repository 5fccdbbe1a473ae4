import { getTRPCErrorFromUnknown, initTRPC, TRPCError, type AnyProcedure, type AnyRouter } from '@trpc/server';
import type { Database } from '../db/client';
import { AuthApi } from './auth/auth-api';
import { HashingQueueFull } from './auth/hashing-pool';
import { guardCheckOf, type GuardCheck } from './auth/middleware';
import type { AuthUser } from './auth/user';
import { runInEvent } from './bridge/accessors';
import type { Connection } from './bridge/connection';
import { StateEvent } from './bridge/event';
import type { EventRequest } from './bridge/request';
import type { SessionProxy } from './bridge/session-proxy';
import { describeDatabaseError, errorEnvelopeOf, errorEnvelopes, isFailedQueryError, isRetriableDatabaseError, serviceUnavailable } from './errors';
import type { Runtime } from './runtime';
import type { ActionList } from './state/actions';
import type { Envelope } from './state/protocol';
import type { StateAccess } from './state/state-access';

/** What tRPC builds once per connection (a holder: `next({ ctx })` copies ctx). */
export interface ConnectionContext {
  runtime: Runtime;
  connection: Connection;
}

/** What every handler gets: the live per-event values. */
export interface EventContext extends ConnectionContext {
  event: StateEvent;
  request: EventRequest;
  user: AuthUser;
  session: SessionProxy;
  state: StateAccess;
  actions: ActionList;
  auth: AuthApi;
  db: Database;
}

const t = initTRPC.context<ConnectionContext>().create({
  isDev: process.env.NODE_ENV !== 'production',
  errorFormatter({ shape, error }) {
    const { stack: _stack, ...data } = shape.data;
    // An internal error takes its cause's message; a failed SQL statement's lists
    // the statement's parameters (ids, hashes, user data).
    const message = error.code === 'INTERNAL_SERVER_ERROR' && isFailedQueryError(error) ? 'Internal server error' : shape.message;
    return { ...shape, message, data: { ...data, statehouse: errorEnvelopeOf(error) } };
  },
});

export const router = t.router;
export const middleware = t.middleware;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

type BridgeOptions = Parameters<Parameters<typeof t.middleware>[0]>[0];

const NO_GUARDS: readonly GuardCheck[] = [];

/**
 * The bridge: the base middleware under every procedure. Rebuilds the
 * request from the connection's mirrors, validates the session, binds the
 * per-event context (also reachable through `currentUser()` and friends),
 * runs the guards fused into it (see {@link fuseGuards}), and after the
 * handler answers `{ data, delta, actions }`.
 */
async function runBridge({ ctx, path, type, next }: BridgeOptions, guards: readonly GuardCheck[]) {
  const { runtime, connection: conn } = ctx;
  const event = new StateEvent(runtime, conn, path, type);
  const beginning = event.begin();
  if (beginning) {
    try {
      await beginning;
    } catch (cause) {
      throw databaseFault(runtime, path, cause);
    }
  }
  const eventCtx: EventContext = {
    runtime,
    connection: conn,
    event,
    request: event.request,
    user: event.user,
    session: event.session,
    state: event.state,
    actions: event.actions,
    auth: new AuthApi(event),
    db: runtime.db,
  };
  let result: Awaited<ReturnType<typeof next>>;
  if (guards.length === 0) {
    result = await runInEvent(event, () => next({ ctx: eventCtx }));
  } else {
    try {
      result = await runInEvent(event, () => guardThenNext(eventCtx, guards, next));
    } catch (cause) {
      // A refusal: answered like a guard's own middleware level would have.
      result = { ok: false, error: getTRPCErrorFromUnknown(cause), marker: 'middlewareMarker' } as unknown as typeof result;
    }
  }
  if (type === 'subscription') {
    if (!result.ok) throw result.error;
    return result;
  }
  const collected = event.collect();
  const delta = collected instanceof Promise ? await collected : collected;
  const actions = event.actions.list;
  // From here to the reply frame is promise callbacks only: the tasks start on a later turn.
  if (event.deferred !== null) for (const task of event.deferred) runtime.background.later(`event ${path}`, task);
  if (result.ok) {
    const envelope: Envelope = { data: result.data, delta, actions };
    // A literal, not `{ ...result, data }`: this runs on every event.
    return { marker: result.marker, ok: true as const, data: envelope };
  }
  let error = result.error;
  if (error.code === 'INTERNAL_SERVER_ERROR' && isRetriableDatabaseError(error.cause)) {
    error = databaseFault(runtime, path, error.cause);
  } else if (error.cause instanceof HashingQueueFull) {
    runtime.log.warn('password hashing queue full', { event: path });
    error = serviceUnavailable(error.cause.retryAfter);
  }
  errorEnvelopes.set(error, { delta, actions });
  return { ...result, error };
}

type NextResult = ReturnType<BridgeOptions['next']>;

/** Runs the guards in order (each may wait on a query), then the rest of the procedure. */
function guardThenNext(ctx: EventContext, guards: readonly GuardCheck[], next: BridgeOptions['next'], from = 0): NextResult {
  for (let i = from; i < guards.length; i++) {
    const pending = guards[i]!(ctx);
    if (pending) return pending.then((): NextResult => guardThenNext(ctx, guards, next, i + 1));
  }
  return next({ ctx });
}

export const bridge = t.middleware(function bridge(opts) {
  // Typed as the context it adds: handlers see `EventContext`.
  return runBridge(opts, NO_GUARDS) as ReturnType<typeof opts.next<Omit<EventContext, keyof ConnectionContext>>>;
});

/**
 * Moves the guards (`authed()`, `can()`, `staffRequired()`, ...) that come
 * right after the bridge into it, for every procedure of `appRouter`: they
 * run in the same order with the same context and answers, without a tRPC
 * middleware level each (every level costs tRPC two object copies and an
 * async hop per event). Idempotent; `createStatehouse` calls it.
 */
export function fuseGuards(appRouter: AnyRouter): void {
  const plain = bridge._middlewares[0];
  for (const procedure of Object.values(appRouter._def.procedures) as AnyProcedure[]) {
    // Not in tRPC's public types: the middleware chain `procedure()` reads on every call.
    const def = procedure._def as unknown as { middlewares: unknown[] };
    if (def.middlewares[0] !== plain) continue;
    const guards: GuardCheck[] = [];
    let at = 1;
    for (let check = guardCheckOf(def.middlewares[at]); check; check = guardCheckOf(def.middlewares[++at])) guards.push(check);
    if (guards.length === 0) continue;
    const fused = function bridge(opts: BridgeOptions) {
      return runBridge(opts, guards);
    };
    def.middlewares = [fused, ...def.middlewares.slice(at)];
  }
}

function databaseFault(runtime: Runtime, path: string, cause: unknown): TRPCError {
  if (cause instanceof TRPCError) return cause;
  if (isRetriableDatabaseError(cause)) {
    runtime.log.error('database unavailable', { event: path, error: describeDatabaseError(cause) });
    return new TRPCError({
      code: 'SERVICE_UNAVAILABLE',
      message: 'The database is temporarily unavailable. Please retry.',
      cause,
    });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause });
}

/** A procedure open to anyone, with the bridge's per-event context. */
export const publicProcedure = t.procedure.use(bridge);
