import { AsyncLocalStorage } from 'node:async_hooks';
import { TRPCError } from '@trpc/server';
import type { Database } from '../../db/client';
import { groupHeld, permissionHeld } from '../auth/permissions';
import { NO_SESSION, type SessionData } from '../auth/session-store';
import { ANONYMOUS_USER, isLoggedIn, type AuthUser, type LoggedInUser } from '../auth/user';
import { EMPTY_REQUEST, type EventRequest } from '../request';

/**
 * What the accessors below read: a socket event (`StateEvent`), or an HTTP
 * route's identity run through `withCurrent` (`server/http/identity.ts`).
 */
export interface CurrentScope {
  readonly user: AuthUser;
  readonly session: SessionData;
  readonly request: EventRequest;
  readonly runtime: { readonly db: Database };
}

const storage = new AsyncLocalStorage<CurrentScope>();

/** Runs `fn(...args)` with `scope` as the current event (what the bridge does; an HTTP route through `withCurrent`). */
export function runInEvent<A extends unknown[], T>(scope: CurrentScope, fn: (...args: A) => T, ...args: A): T {
  return storage.run(scope, fn, ...args);
}

/** The live user of the current event; anonymous outside an event. */
export function currentUser(): AuthUser {
  return storage.getStore()?.user ?? ANONYMOUS_USER;
}

/**
 * The session data of the current event (`ctx.session`); outside an event,
 * an empty session that refuses writes.
 *
 * @example
 * const cart = await currentSession().get<string[]>('cart', []);
 */
export function currentSession(): SessionData {
  return storage.getStore()?.session ?? NO_SESSION;
}

/** The current event's request; an empty request outside an event. */
export function currentRequest(): EventRequest {
  return storage.getStore()?.request ?? EMPTY_REQUEST;
}

/**
 * The live user, or a typed UNAUTHORIZED error when anonymous.
 *
 * @example
 * const user = requireLoginUser();
 * await db.select().from(notes).where(eq(notes.userId, user.id));
 */
export function requireLoginUser(): LoggedInUser {
  const user = currentUser();
  if (!isLoggedIn(user)) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
  return user;
}

/**
 * `request`: importable anywhere, always the current event's request (an
 * empty one outside events), like `from reflex_django import request`.
 */
export const request: EventRequest = new Proxy(Object.create(null) as EventRequest, {
  // An empty target: a frozen one would forbid answering with the event's values.
  get(_target, prop) {
    const current = currentRequest() as unknown as Record<PropertyKey, unknown>;
    const value = current[prop];
    // Methods (`loadContext`, `language`) run against the event's own request.
    return typeof value === 'function' ? value.bind(current) : value;
  },
}) as EventRequest;

/** The database of the current event, else the one given; a clear error when neither is there. */
function databaseFor(db: Database | undefined, what: string): Database {
  const found = db ?? storage.getStore()?.runtime.db;
  if (!found) throw new TypeError(`${what} outside an event needs the database: pass it as the last argument`);
  return found;
}

/**
 * Whether `user` holds `perm` (`app_label.codename`), with Django's
 * semantics: inactive users hold nothing, active superusers everything,
 * everyone else their own and their groups' grants (loaded once per live
 * user). Inside an event the event's database is used; elsewhere pass one.
 *
 * @example
 * if (await userHasPerm(ctx.user, 'notes.delete_note')) showDelete();
 * await userHasPerm(user, 'notes.view_note', statehouse.runtime.db); // a job, a script
 */
export function userHasPerm(user: AuthUser, perm: string, db?: Database): Promise<boolean> {
  return permissionHeld(databaseFor(db, 'userHasPerm'), user, perm);
}

/**
 * Whether `user` belongs to the group named `name` (active superusers pass).
 *
 * @example
 * if (await hasGroup(currentUser(), 'editors')) { ... }
 */
export function hasGroup(user: AuthUser, name: string, db?: Database): Promise<boolean> {
  return groupHeld(databaseFor(db, 'hasGroup'), user, name);
}
