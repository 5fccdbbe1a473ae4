/**
 * The contract between the socket protocol and the streams it can run
 * without pulling them: an async iterator marked with {@link PUSH_SOURCE}
 * can be handed a {@link PushSink}, and from then on hands its values over
 * itself instead of answering `next()`. An idle subscription over such a
 * source holds no pending promise, no async function's frame and no
 * closure: the source and one small object of the protocol. The
 * connection's push stream is such a source.
 */
export const PUSH_SOURCE = Symbol.for('statehouse.pushSource');

/** Where a push source's values go once the protocol drives it. */
export interface PushSink<T> {
  /** The next value, in order; never after `ended`, `failed` or the source's `return()`. */
  pushed(value: T): void;
  /** The source ended by itself (closed, replaced, its signal aborted). Not called after `return()`. */
  ended(): void;
  /** The source failed; it is over. Not called after `return()`. */
  failed(cause: unknown): void;
}

/** An async iterator that can hand its values to a sink instead (see {@link PUSH_SOURCE}). */
export interface PushSource<T> extends AsyncIterator<T> {
  /**
   * Hands every later value to `sink`, each in a microtask after it is
   * known (never inside the call that produced it), until the source ends
   * or `return()` is called; `next()` is no longer called.
   */
  [PUSH_SOURCE](sink: PushSink<T>): void;
  return(): Promise<IteratorResult<T>>;
}

/** Whether `iterator` can hand its values to a sink. */
export function isPushSource(iterator: object): iterator is PushSource<unknown> {
  return typeof (iterator as Partial<PushSource<unknown>>)[PUSH_SOURCE] === 'function';
}
