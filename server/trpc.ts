import { initTRPC, TRPCError } from '@trpc/server';
import type { Database } from '../db/client';
import { AuthApi } from './auth/auth-api';
import type { AuthUser } from './auth/user';
import { runInEvent } from './bridge/accessors';
import type { Connection } from './bridge/connection';
import { StateEvent } from './bridge/event';
import type { EventRequest } from './bridge/request';
import type { SessionProxy } from './bridge/session-proxy';
import { describeDatabaseError, errorEnvelopeOf, errorEnvelopes, isFailedQueryError, isRetriableDatabaseError, tooManyRequests } from './errors';
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

/**
 * The bridge: the base middleware under every procedure. Rebuilds the
 * request from the connection's mirrors, validates the session, binds the
 * per-event context (also reachable through `currentUser()` and friends), and
 * after the handler answers `{ data, delta, actions }`.
 */
export const bridge = t.middleware(async function bridge({ ctx, path, type, next }) {
  const { runtime, connection: conn } = ctx;
  if (!conn.bucket.take()) throw tooManyRequests(conn.bucket.retryAfter(), 'Too many messages on this connection.');
  const event = new StateEvent(runtime, conn, path, type);
  const beginning = event.begin();
  if (beginning) {
    try {
      await beginning;
    } catch (cause) {
      throw databaseFault(runtime, path, cause);
    }
  }
  const eventCtx: Omit<EventContext, keyof ConnectionContext> = {
    event,
    request: event.request,
    user: event.user,
    session: event.session,
    state: event.state,
    actions: event.actions,
    auth: new AuthApi(event),
    db: runtime.db,
  };
  const result = await runInEvent(event, () => next({ ctx: eventCtx }));
  if (type === 'subscription') return result;
  const collected = event.collect();
  const delta = collected instanceof Promise ? await collected : collected;
  const actions = event.actions.list;
  if (result.ok) {
    const envelope: Envelope = { data: result.data, delta, actions };
    return { ...result, data: envelope };
  }
  let error = result.error;
  if (error.code === 'INTERNAL_SERVER_ERROR' && isRetriableDatabaseError(error.cause)) {
    error = databaseFault(runtime, path, error.cause);
  }
  errorEnvelopes.set(error, { delta, actions });
  return { ...result, error };
});

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
