import { getTRPCErrorFromUnknown } from '@trpc/server';
import { middlewareMarker } from '@trpc/server/unstable-core-do-not-import';
import { AuthApi } from '../auth/auth-api';
import type { LoggedInUser } from '../auth/user';
import { runInEvent } from './accessors';
import { StateEvent } from './event';
import type { Guard, GuardCheck } from './guards';
import { databaseFault, envelopeOf, eventErrorOf } from './reply';
import type { Delta } from '../state/protocol';
import { t, type ConnectionContext, type EventContext } from './trpc';

type BridgeOptions = Parameters<Parameters<typeof t.middleware>[0]>[0];
type NextResult = ReturnType<BridgeOptions['next']>;
type LevelResult = Awaited<NextResult>;

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
 *
 * Written as plain functions passing promises on, not as one `async`
 * function: this runs on every event, and an event whose session is cached
 * and whose guards answer at once waits on nothing but its handler. An
 * `async` function, and a function holding a closure over its own
 * variables, allocate on every call even when they never wait (see
 * `docs/architecture.md`, "The event path's fast path").
 */
function runBridge(opts: BridgeOptions, guards: readonly GuardCheck[]): Promise<LevelResult> {
  const { runtime, connection } = opts.ctx;
  const event = new StateEvent(runtime, connection, opts.path, opts.type);
  const beginning = event.begin();
  return beginning ? afterValidation(beginning, event, opts, guards) : runEvent(event, opts, guards);
}

/** The session was not cached: the event runs once it is validated. */
function afterValidation(beginning: Promise<void>, event: StateEvent, opts: BridgeOptions, guards: readonly GuardCheck[]) {
  return beginning.then(
    () => runEvent(event, opts, guards),
    (cause: unknown) => {
      throw databaseFault(event.runtime.log, opts.path, cause);
    },
  );
}

/** Binds the event's context, runs the guards and the rest of the procedure, then answers. */
function runEvent(event: StateEvent, opts: BridgeOptions, guards: readonly GuardCheck[]): Promise<LevelResult> {
  const { runtime, connection } = opts.ctx;
  const eventCtx: EventContext = {
    runtime,
    connection,
    event,
    request: event.request,
    user: event.user,
    session: event.session,
    state: event.state,
    actions: event.actions,
    auth: new AuthApi(event),
    db: runtime.db,
  };
  const handled = runInEvent(event, guardThenNext, eventCtx, guards, opts.next, 0);
  return opts.type === 'subscription' ? handled.then(subscriptionResult) : answerAfter(handled, event, opts.path);
}

/** A subscription's result goes out as it is: its pushes carry their own deltas. */
function subscriptionResult(result: LevelResult): LevelResult {
  if (!result.ok) throw result.error;
  return result;
}

/** Once the handler has answered: the event's delta and actions, with its data or its error. */
function answerAfter(handled: Promise<LevelResult>, event: StateEvent, path: string): Promise<LevelResult> {
  return handled.then((result) => answerOf(event, path, result));
}

function answerOf(event: StateEvent, path: string, result: LevelResult): LevelResult | Promise<LevelResult> {
  const collected = event.collect();
  return collected instanceof Promise ? answerOnceCollected(collected, event, path, result) : answer(event, path, result, collected);
}

/** The delta waits on the user's auth snapshot (once per validated session). */
function answerOnceCollected(collected: Promise<Delta>, event: StateEvent, path: string, result: LevelResult) {
  return collected.then((delta) => answer(event, path, result, delta));
}

function answer(event: StateEvent, path: string, result: LevelResult, delta: Delta): LevelResult {
  const { runtime } = event;
  const actions = event.actions.list;
  // From here to the reply frame is promise callbacks only: the tasks start on a later turn.
  if (event.deferred !== null) for (const task of event.deferred) runtime.background.later(`event ${path}`, task);
  if (result.ok) {
    // A literal, not `{ ...result, data }`: this runs on every event.
    return { marker: result.marker, ok: true as const, data: envelopeOf(result.data, delta, actions) };
  }
  return { marker: result.marker, ok: false as const, error: eventErrorOf(result.error, delta, actions, runtime.log, path) };
}

/**
 * Runs the guards from `from` on, in order, then the rest of the procedure.
 * A refusal is answered as a guard's own middleware level would answer it.
 */
function guardThenNext(ctx: EventContext, guards: readonly GuardCheck[], next: BridgeOptions['next'], from: number): NextResult {
  try {
    for (let i = from; i < guards.length; i++) {
      const pending = guards[i]!(ctx);
      if (pending) return guardsAfter(pending, ctx, guards, next, i + 1);
    }
  } catch (cause) {
    return Promise.resolve(refusal(cause));
  }
  return next({ ctx });
}

/** A guard is waiting (on a query): the next ones run once it lets the event through. */
function guardsAfter(pending: Promise<void>, ctx: EventContext, guards: readonly GuardCheck[], next: BridgeOptions['next'], from: number) {
  return pending.then(() => guardThenNext(ctx, guards, next, from), refusal);
}

function refusal(cause: unknown): LevelResult {
  return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker };
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
