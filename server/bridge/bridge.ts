import { getTRPCErrorFromUnknown } from '@trpc/server';
import { middlewareMarker } from '@trpc/server/unstable-core-do-not-import';
import { AuthApi } from '../auth/auth-api';
import type { LoggedInUser } from '../auth/user';
import { runInEvent } from './accessors';
import { StateEvent } from './event';
import type { Guard, GuardCheck } from './guards';
import { databaseFault, envelopeOf, eventErrorOf } from './reply';
import { t, type ConnectionContext, type EventContext } from './trpc';

type BridgeOptions = Parameters<Parameters<typeof t.middleware>[0]>[0];
type NextResult = ReturnType<BridgeOptions['next']>;

/** What the bridge adds to the connection's context: `EventContext`. */
type Added = Omit<EventContext, keyof ConnectionContext>;

const NO_GUARDS: readonly GuardCheck[] = [];

/**
 * The bridge: the base middleware under every procedure. Rebuilds the
 * request from the connection's mirrors, validates the session, binds the
 * per-event context (also reachable through `currentUser()` and friends),
 * runs the guards it was given (see {@link guarded}), and after the handler
 * answers the envelope `{ data, delta, actions }`, or an `EventError` that
 * carries the delta and actions of a failed event (see `reply.ts`).
 */
async function runBridge({ ctx, path, type, next }: BridgeOptions, guards: readonly GuardCheck[]) {
  const { runtime, connection: conn } = ctx;
  const event = new StateEvent(runtime, conn, path, type);
  const beginning = event.begin();
  if (beginning) {
    try {
      await beginning;
    } catch (cause) {
      throw databaseFault(runtime.log, path, cause);
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
  let result: Awaited<NextResult>;
  if (guards.length === 0) {
    result = await runInEvent(event, () => next({ ctx: eventCtx }));
  } else {
    try {
      result = await runInEvent(event, () => guardThenNext(eventCtx, guards, next));
    } catch (cause) {
      // A refusal: answered as a guard's own middleware level would answer it.
      result = { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker };
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
    // A literal, not `{ ...result, data }`: this runs on every event.
    return { marker: result.marker, ok: true as const, data: envelopeOf(result.data, delta, actions) };
  }
  return { marker: result.marker, ok: false as const, error: eventErrorOf(result.error, delta, actions, runtime.log, path) };
}

/** Runs the guards in order (each may wait on a query), then the rest of the procedure. */
function guardThenNext(ctx: EventContext, guards: readonly GuardCheck[], next: BridgeOptions['next'], from = 0): NextResult {
  for (let i = from; i < guards.length; i++) {
    const pending = guards[i]!(ctx);
    if (pending) return pending.then((): NextResult => guardThenNext(ctx, guards, next, i + 1));
  }
  return next({ ctx });
}

/** The bridge as a tRPC middleware, typed as the context it adds: handlers see `EventContext`. */
export const bridge = t.middleware(function bridge(opts) {
  return runBridge(opts, NO_GUARDS) as ReturnType<typeof opts.next<Added>>;
});

/** A procedure open to anyone, with the bridge's per-event context. */
export const publicProcedure = t.procedure.use(bridge);

/**
 * A procedure whose bridge runs `guards` itself, in order, before input
 * validation and the handler: `ctx.user` is typed as a logged-in user. The
 * answers are those of `publicProcedure.use(guard)…` (same errors, same
 * client actions, same hooks); the difference is cost: a guard passed here
 * is a call inside the bridge, while each `.use(guard)` is a tRPC middleware
 * level of its own (an options object, a context and an async hop per
 * event). Measured with `bun bench/in-process.ts 40000 1 5 50`, one `can()`
 * inside the bridge saved 3–4 µs of an authed event's 10–14 µs of
 * server-side CPU (see `bench/README.md`). Anonymous and refused callers
 * never reach input validation.
 *
 * @example
 * export const notesRouter = router({
 *   remove: guarded(authed(), can('notes.delete_note'))
 *     .input(z.object({ id: z.number() }))
 *     .mutation(({ ctx, input }) => deleteNote(ctx.db, ctx.user.id, input.id)),
 * });
 */
export function guarded(...guards: [Guard, ...Guard[]]) {
  const checks = guards.map((guard) => guard.check);
  return t.procedure.use(function bridge(opts) {
    return runBridge(opts, checks) as ReturnType<typeof opts.next<Omit<Added, 'user'> & { user: LoggedInUser }>>;
  });
}
