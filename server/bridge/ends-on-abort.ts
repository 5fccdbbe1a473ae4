/**
 * The contract between the socket protocol and the iterators it streams:
 * an async iterator marked with {@link ENDS_ON_ABORT} ends by itself,
 * promptly, when its subscription's signal aborts (its pending `next()`
 * answers done). The protocol then waits on `next()` directly instead of
 * racing it against the stop, which saves a promise and three closures per
 * idle subscription. The connection's push stream is such an iterator.
 */
export const ENDS_ON_ABORT = Symbol.for('statehouse.endsOnAbort');

/** An async iterator that keeps the {@link ENDS_ON_ABORT} promise. */
export interface EndsOnAbort {
  readonly [ENDS_ON_ABORT]: true;
}

/** Whether `iterator` ends by itself when its signal aborts. */
export function endsOnAbort(iterator: object): boolean {
  return (iterator as Partial<EndsOnAbort>)[ENDS_ON_ABORT] === true;
}
