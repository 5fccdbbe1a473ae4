import type { StatePush } from '../state/protocol';
import { ENDS_ON_ABORT, type EndsOnAbort } from './ends-on-abort';

/**
 * The pushes of one connection: queued until its `state` subscription's
 * stream takes them. A connection makes its channel on the first push or
 * the first stream; an idle tab's channel holds its stream and no array.
 */
export class PushChannel {
  /** Pushes not yet taken by the stream; `null` while empty. */
  private queue: StatePush[] | null = null;
  /** The `state` subscription's stream, woken by every push. */
  private stream: PushStream | null = null;
  closed = false;

  /** Queues a push and wakes the stream. */
  push(push: StatePush): void {
    if (this.closed) return;
    (this.queue ??= []).push(push);
    this.stream?.wake();
  }

  /**
   * The pushes, after `first` when given, until the channel closes or
   * `signal` aborts. A newer stream takes over from an older one.
   */
  open(signal: AbortSignal | undefined, first: Promise<StatePush> | null): PushStream {
    this.stream?.end();
    return (this.stream = new PushStream(this, signal, first));
  }

  /** The next queued push, if any. */
  take(): StatePush | undefined {
    const queue = this.queue;
    if (!queue) return undefined;
    const next = queue.shift();
    if (queue.length === 0) this.queue = null;
    return next;
  }

  /** `stream` has ended: it no longer takes the pushes. */
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
 * stream. A plain object rather than an async generator, so an idle tab
 * holds one pending promise and nothing else; it ends as soon as its signal
 * aborts or the channel closes (it keeps the {@link EndsOnAbort} promise).
 */
export class PushStream implements AsyncIterableIterator<StatePush>, EndsOnAbort {
  readonly [ENDS_ON_ABORT] = true as const;
  private waiting: ((result: IteratorResult<StatePush>) => void) | null = null;
  private ended = false;

  constructor(
    private readonly channel: PushChannel,
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
    const queued = this.channel.take();
    if (queued) return Promise.resolve({ value: queued, done: false });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<StatePush>> {
    this.end();
    return Promise.resolve(DONE);
  }

  /** A push was queued (or the channel closed): answers the pending `next()`. */
  wake(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.over()) {
      this.end();
      return;
    }
    const queued = this.channel.take();
    if (!queued) return;
    this.waiting = null;
    waiting({ value: queued, done: false });
  }

  /** Ends the stream: a pending `next()` answers done. */
  end(): void {
    const waiting = this.waiting;
    this.waiting = null;
    this.finish();
    waiting?.(DONE);
  }

  handleEvent(): void {
    this.end();
  }

  private over(): boolean {
    return this.ended || this.channel.closed || this.signal?.aborted === true;
  }

  private finish(): Promise<IteratorReturnResult<undefined>> {
    this.ended = true;
    this.first = null;
    this.signal?.removeEventListener('abort', this);
    this.channel.detach(this);
    return Promise.resolve(DONE);
  }
}
