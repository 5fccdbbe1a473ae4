import { initTRPC } from '@trpc/server';
import type { Database } from '../../db/client';
import type { AuthApi } from '../auth/auth-api';
import type { AuthUser } from '../auth/user';
import type { Runtime } from '../runtime';
import type { ActionList } from '../state/actions';
import type { StateAccess } from '../state/state-access';
import type { Connection } from './connection';
import type { StateEvent } from './event';
import { formatEventError } from './reply';
import type { EventRequest } from '../request';
import type { SessionProxy } from './session-proxy';

/**
 * What the socket protocol hands every call of a connection: built once, when
 * the tab's connection params arrive (see `transport.ts`).
 */
export interface ConnectionContext {
  runtime: Runtime;
  connection: Connection;
}

/** What every handler gets: the live per-event values, added by the bridge (`bridge.ts`). */
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

/**
 * The one tRPC instance of the framework. Its error formatter puts a failed
 * event's delta and actions (carried by the error itself, see `reply.ts`)
 * into `error.data.statehouse`.
 */
export const t = initTRPC.context<ConnectionContext>().create({
  isDev: process.env.NODE_ENV !== 'production',
  errorFormatter: formatEventError,
});

export const router = t.router;
export const middleware = t.middleware;
