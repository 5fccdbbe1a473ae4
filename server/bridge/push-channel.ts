import type { StatePush } from '../state/protocol';
import { PUSH_SOURCE, type PushSink, type PushSource } from './push-source';

/**
 * The pushes of one connection: queued until its `state` subscription's
 * stream takes them. The connection is its own channel (`Connection`
 * extends it: two fields rather than an object of their own per tab); an
 * idle tab's channel holds its stream and no array.
 */
export class PushChannel {
  /** Pushes not yet taken by the stream; `null` while empty. */
  private queue: StatePush[] | null = null;
  /** The `state` subscription's stream, woken by every push. */
  private stream: PushStream | null = null;
  closed = false;

  /** Queues a push and wakes the stream. @internal The registry's side: apps push through `ctx.state` and the bus. */
  enqueue(push: StatePush): void {
    if (this.closed) return;
    (this.queue ??= []).push(push);
    this.stream?.wake();
  }

  /**
   * The pushes, after `first` when given, until the channel closes or
   * `signal` aborts. A newer stream takes over from an older one.
   * @internal The `statehouse.state` subscription's side.
   */
  openStream(signal: AbortSignal | undefined, first: Promise<StatePush> | null): PushStream {
    this.stream?.end();
    return (this.stream = new PushStream(this, signal, first));
  }

  /** The next queued push, if any. @internal Taken by the stream only: a push taken elsewhere never reaches the tab. */
  takePush(): StatePush | undefined {
    const queue = this.queue;
    if (!queue) return undefined;
    const next = queue.shift();
    if (queue.length === 0) this.queue = null;
    return next;
  }

  /** `stream` has ended: it no longer takes the pushes. @internal */
  detach(stream: PushStream): void {
    if (this.stream === stream) this.stream = null;
  }

  /** Drops what is queued and ends the stream. */
  close(): void {
    this.closed = true;
    this.queue = null;
    this.stream?.end();
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * A channel's pushes as an async iterator: the `state` subscription's
 * stream. A plain object rather than an async generator; it ends as soon as
 * its signal aborts, the channel closes or a newer stream takes over. The
 * socket protocol drives it as a {@link PushSource}: then an idle tab's
 * stream holds its channel and its sink, and no promise.
 */
export class PushStream implements AsyncIterableIterator<StatePush>, PushSource<StatePush> {
  private waiting: ((result: IteratorResult<StatePush>) => void) | null = null;
  /** Where pushes go once the protocol drives the stream (`null`: answered through `next()`). */
  private sink: PushSink<StatePush> | null = null;
  /** A drain is queued (see {@link schedule}). */
  private scheduled = false;

  constructor(
    /** The channel it takes pushes from; `null` once the stream has ended (one field fewer than a flag). */
    private channel: PushChannel | null,
    private readonly signal: AbortSignal | undefined,
    private first: Promise<StatePush> | null,
  ) {
    // The stream itself is the listener (`handleEvent`): no closure per tab.
    signal?.addEventListener('abort', this, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StatePush>> {
    const first = this.first;
    if (first) {
      this.first = null;
      return first.then((value) => ({ value, done: false }));
    }
    if (this.over()) return this.finish();
    const queued = this.channel!.takePush();
    if (queued) return Promise.resolve({ value: queued, done: false });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<StatePush>> {
    this.sink = null;
    this.end();
    return Promise.resolve(DONE);
  }

  /** From now on every push goes to `sink` (after the first push, when there is one). */
  [PUSH_SOURCE](sink: PushSink<StatePush>): void {
    this.sink = sink;
    const first = this.first;
    if (!first) {
      this.schedule();
      return;
    }
    // `first` stays set until it settles: queued pushes wait behind it.
    first.then(
      (value) => {
        this.first = null;
        if (this.sink === null) return;
        if (!this.over()) this.sink.pushed(value);
        this.drain();
      },
      (cause: unknown) => {
        this.first = null;
        const failed = this.sink;
        if (failed === null) return;
        this.sink = null;
        this.finish();
        failed.failed(cause);
      },
    );
  }

  /** A push was queued (or the channel closed): answers the pending `next()`, or the sink. */
  wake(): void {
    if (this.sink) {
      this.schedule();
      return;
    }
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.over()) {
      this.end();
      return;
    }
    const queued = this.channel!.takePush();
    if (!queued) return;
    this.waiting = null;
    waiting({ value: queued, done: false });
  }

  /** Ends the stream: a pending `next()` answers done; a sink hears `ended` (in a microtask). */
  end(): void {
    if (this.sink) {
      this.stopListening();
      this.schedule();
      return;
    }
    const waiting = this.waiting;
    this.waiting = null;
    this.finish();
    waiting?.(DONE);
  }

  handleEvent(): void {
    this.end();
  }

  /** Queues one {@link drain}: pushes reach the sink in a microtask, never inside the call that queued them. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  /** Hands the queued pushes to the sink, or tells it the stream ended. */
  private drain(): void {
    while (this.sink !== null && this.first === null) {
      if (this.over()) {
        const sink = this.sink;
        this.sink = null;
        this.finish();
        sink.ended();
        return;
      }
      const queued = this.channel!.takePush();
      if (!queued) return;
      this.sink.pushed(queued);
    }
  }

  private over(): boolean {
    return this.channel === null || this.channel.closed || this.signal?.aborted === true;
  }

  /** Takes no more pushes: off the signal and the channel. */
  private stopListening(): void {
    this.signal?.removeEventListener('abort', this);
    this.channel?.detach(this);
    this.channel = null;
  }

  private finish(): Promise<IteratorReturnResult<undefined>> {
    this.stopListening();
    this.first = null;
    return Promise.resolve(DONE);
  }
}
