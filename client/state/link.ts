import type { ClientAction, Delta, Envelope, ErrorEnvelope } from '../../server/shared';
import type { StateSocket } from './socket';
import type { SubscribeHandlers, Unsubscribable, UntypedCalls } from './trpc';

export interface StateCallOptions {
  /** Applies a delta to the slice stores; called as soon as a result arrives, with the actions that will run after it. */
  applyDelta(delta: Delta, actions: readonly ClientAction[]): void;
  /**
   * Runs the client actions; the call settles once they are done. A refused
   * call whose actions end with the user confirming it is them
   * (`identityConfirmed`) is sent again, once.
   */
  runActions(actions: readonly ClientAction[]): Promise<unknown>;
}

/**
 * The calls of the typed client, over `socket`: each query and mutation
 * opens the `{ data, delta, actions }` envelope it answers with, applies
 * `delta`, runs `actions` in order, then resolves with `data`, which is what
 * the router's inferred types promise. A failed call's `error.data.statehouse`
 * is applied and run the same way before the call rejects; a refusal with
 * `REAUTH_REQUIRED` whose actions end with the user confirming it is them is
 * sent again, once. Subscriptions pass through untouched.
 *
 * @example
 * const trpc = createTrpcProxy<AppRouter>(createStateCalls(socket, { applyDelta, runActions: runner.run }));
 * const note = await trpc.notes.create.mutate({ title: 'Hi' }); // the handler's return value
 */
export function createStateCalls(socket: StateSocket, options: StateCallOptions): UntypedCalls {
  const { applyDelta, runActions } = options;
  const send = (type: 'query' | 'mutation', path: string, input: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => socket.call(type, path, input, { data: resolve, error: reject }));

  async function request(type: 'query' | 'mutation', path: string, input: unknown): Promise<unknown> {
    for (let retried = false; ; retried = true) {
      let result: unknown;
      try {
        result = await send(type, path, input);
      } catch (error) {
        const envelope = readErrorEnvelope(error);
        if (!envelope) throw error;
        applyDelta(envelope.delta, envelope.actions);
        const outcome = (await runActions(envelope.actions).catch(() => undefined)) as { identityConfirmed?: boolean } | undefined;
        // "Confirm it's you" answered: the refused call goes again, once.
        if (envelope.reason === 'REAUTH_REQUIRED' && outcome?.identityConfirmed === true && !retried) continue;
        throw error;
      }
      if (!isEnvelope(result)) return result;
      applyDelta(result.delta, result.actions);
      await runActions(result.actions).catch(() => undefined);
      return result.data;
    }
  }

  function subscribe(path: string, input: unknown, handlers: SubscribeHandlers<unknown>): Unsubscribable {
    const stop = socket.call('subscription', path, input, {
      started: () => handlers.onStarted?.(),
      data: (value) => handlers.onData?.(value),
      error: (error) => handlers.onError?.(error),
      stopped: () => {
        handlers.onStopped?.();
        handlers.onComplete?.();
      },
    });
    return { unsubscribe: stop };
  }

  return { request, subscribe };
}

/**
 * Whether a result is the state envelope. A procedure returning nothing
 * arrives without a `data` key, since JSON drops `undefined`.
 */
export function isEnvelope(value: unknown): value is Envelope {
  if (typeof value !== 'object' || value === null) return false;
  const { delta, actions } = value as Partial<Envelope>;
  return isDelta(delta) && Array.isArray(actions);
}

/**
 * The `error.data.statehouse` part of a failed call (delta, actions, retry
 * delay, field errors), or `null` when the error has none.
 *
 * @example
 * try { await trpc.auth.login.mutate(form) }
 * catch (error) { const fieldErrors = readErrorEnvelope(error)?.fieldErrors ?? [] }
 */
export function readErrorEnvelope(error: unknown): ErrorEnvelope | null {
  if (typeof error !== 'object' || error === null) return null;
  const data = (error as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return null;
  const envelope = (data as { statehouse?: unknown }).statehouse;
  if (typeof envelope !== 'object' || envelope === null) return null;
  const { delta, actions } = envelope as Partial<ErrorEnvelope>;
  return {
    ...(envelope as ErrorEnvelope),
    delta: isDelta(delta) ? delta : {},
    actions: Array.isArray(actions) ? actions : [],
  };
}

function isDelta(value: unknown): value is Delta {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
