import type { OperationResultEnvelope, TRPCClientError, TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import type { ClientAction, Delta, Envelope, ErrorEnvelope } from '../../server/shared';

export interface StateLinkOptions {
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
 * A tRPC link, placed before `wsLink`, that opens the `{ data, delta, actions }`
 * envelope every query and mutation answers with: it applies `delta`, runs
 * `actions` in order, then resolves the call with `data`, which is what the
 * router's inferred types promise. A failed call's `error.data.statehouse`
 * is applied and run the same way before the call rejects. Subscriptions
 * pass through untouched.
 *
 * @example
 * const trpc = createTRPCClient<AppRouter>({
 *   links: [stateLink({ applyDelta, runActions: runner.run }), wsLink({ client: wsClient })],
 * });
 * const note = await trpc.notes.create.mutate({ title: 'Hi' }); // the handler's return value
 */
export function stateLink<TRouter extends AnyRouter>(options: StateLinkOptions): TRPCLink<TRouter> {
  const { applyDelta, runActions } = options;
  return () =>
    ({ op, next }) => {
      if (op.type === 'subscription') return next(op);
      return observable<OperationResultEnvelope<unknown, TRPCClientError<TRouter>>, TRPCClientError<TRouter>>((observer) => {
        let active = true;
        let settled: Promise<void> = Promise.resolve();
        // Emissions wait for the actions before them, and keep their order.
        const after = (work: () => unknown, emit: () => void): void => {
          const step = settled.then(work).catch(() => undefined);
          settled = step.then(() => {
            if (active) emit();
          });
        };

        let retried = false;
        const subscribe = () =>
          next(op).subscribe({
            next(value) {
              const { result } = value;
              const isData = result.type === undefined || result.type === 'data';
              if (!isData || !('data' in result) || !isEnvelope(result.data)) {
                after(
                  () => undefined,
                  () => observer.next(value),
                );
                return;
              }
              const envelope = result.data;
              applyDelta(envelope.delta, envelope.actions);
              after(
                () => runActions(envelope.actions),
                () => observer.next({ ...value, result: { ...result, data: envelope.data } }),
              );
            },
            error(error) {
              const envelope = readErrorEnvelope(error);
              if (envelope) applyDelta(envelope.delta, envelope.actions);
              let confirmed = false;
              after(
                async () => {
                  if (envelope)
                    confirmed =
                      ((await runActions(envelope.actions)) as { identityConfirmed?: boolean } | undefined)?.identityConfirmed === true;
                },
                () => {
                  // "Confirm it's you" answered: the refused call goes again, once.
                  if (envelope?.reason === 'REAUTH_REQUIRED' && confirmed && !retried) {
                    retried = true;
                    upstream = subscribe();
                  } else observer.error(error);
                },
              );
            },
            complete() {
              after(
                () => undefined,
                () => observer.complete(),
              );
            },
          });
        let upstream = subscribe();

        return () => {
          active = false;
          upstream.unsubscribe();
        };
      });
    };
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
