/**
 * Keeps the event loop's turns short while tabs come back in a crowd, so
 * that the server goes on accepting connections.
 *
 * Bun accepts new connections between turns of its event loop, from a queue
 * the kernel holds for it (512 long; `Bun.serve` does not let it be set).
 * After a deploy or a crash every tab comes back within a second or two; a
 * turn then delivers hundreds of frames of sockets setting up (connection
 * params, subscriptions), and handling them one after another keeps the loop
 * away from that queue long enough for it to overflow. The kernel drops what
 * does not fit, and TCP tries each dropped connection again only 1 s later,
 * then 2 s after that. Handling those frames in slices of a few
 * milliseconds, with the loop polling between them, lets the accepts keep
 * up: the same work, without the retransmission waits (`bench/README.md`,
 * the reconnect storm).
 *
 * What is sliced: the frames of a socket until its context is built (its
 * connection params, its first subscription, calls it sent meanwhile), and
 * any later frame of a socket while one of its frames waits, so that a
 * socket's frames keep their order. The first frames of a turn are handled
 * at once; once `sliceMs` has passed since the first of them, the rest
 * queue until the queue is empty again. The events of tabs that are back
 * are handled at once, as they always were: their own TCP flow control
 * holds back a client that sends faster than the server answers, which a
 * queue would undo, and a storm does not delay them. `PING` is always
 * answered at once (by the caller).
 *
 * A slice counts the continuations a frame sets off that are ready at once
 * (it yields to them before reading the clock); what waits on the database
 * resumes in a later turn, unsliced. Sockets already set up can make a turn
 * long with their own events, and each drain still gets its `sliceMs`, at
 * least one frame.
 */

/** What owns queued frames (a socket): it handles one when its turn comes. */
export interface SliceOwner {
  /** Handles `frame`, received (or reached in the queue) at `now`, `performance.now()` ms; `undefined`: not read. */
  handle(frame: string | Buffer, now: number | undefined): void;
}

interface Queued<T> {
  owner: T;
  frame: string | Buffer;
}

/** An owner's frames in the queue: how many, and whether it closed meanwhile (they are then dropped). */
interface Waiting {
  count: number;
  closed: boolean;
}

/** A FIFO over an array read from `head`: emptied once read through, compacted when mostly read. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as never;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      // A backlog that never quite empties does not keep a slot per frame it ever held.
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** How long one turn of the event loop handles frames of sockets setting up before the rest wait for the next turns. */
export const TURN_SLICE_MS = 4;

/**
 * The most frames one socket may have waiting. A tab sends two while it sets
 * up, and the calls it made offline when it comes back; a socket with this
 * many waiting is flooding, and is closed (1008) rather than read into memory.
 */
export const MAX_QUEUED_PER_OWNER = 256;

/**
 * The most bytes of frames waiting, all sockets together (10,000 returning
 * tabs queue about 4 MB). Past it, a socket setting up is closed (1013, try
 * again later) instead of queued; its client comes back after its backoff.
 */
export const MAX_QUEUED_BYTES = 32 * 1024 * 1024;

/** What {@link TurnSlices.offer} did with a frame: handled or queued, or refused for one of two reasons. */
export type Offered = 'taken' | 'flooding' | 'busy';

/**
 * The frames of the sockets of one server, handled at once or in slices (see
 * the module's comment). `report` hears what a queued frame's handling
 * throws, and the queue goes on; `clock` is `performance.now()` (the
 * readings go on to the frames' message budgets).
 *
 * @example
 * const slices = new TurnSlices<Tab>((error) => log.error('a queued frame failed', { error }));
 * if (slices.offer(tab, frame, tab.ready) !== 'taken') ws.close(1008); // in the socket's `message`
 */
export class TurnSlices<T extends SliceOwner> {
  private readonly queue = new Queue<Queued<T>>();
  /** The owners with frames in the queue. */
  private readonly waiting = new Map<T, Waiting>();
  private queuedBytes = 0;
  /** When the current turn handled its first frame of a socket setting up; `-1` outside such a turn. */
  private turnStart = -1;
  private draining = false;

  constructor(
    private readonly report: (error: unknown) => void,
    private readonly sliceMs: number = TURN_SLICE_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Frames waiting. */
  get pending(): number {
    return this.queue.size;
  }

  /**
   * Handles `frame` of `owner` now, or queues it: behind the owner's frames
   * that wait, if any. Otherwise a set-up owner's (`setUp`: its context is
   * built) is handled at once, as always; one setting up waits when other
   * frames wait or `sliceMs` has passed since this turn's first such frame.
   * `flooding` or `busy` (nothing handled, nothing kept): the owner has
   * {@link MAX_QUEUED_PER_OWNER} frames waiting, or all owners
   * {@link MAX_QUEUED_BYTES}; the caller closes the socket.
   */
  offer(owner: T, frame: string | Buffer, setUp: boolean): Offered {
    const waiting = this.queue.size === 0 ? undefined : this.waiting.get(owner);
    if (waiting === undefined) {
      if (setUp) {
        owner.handle(frame, undefined);
        return 'taken';
      }
      if (this.queue.size === 0) {
        const now = this.clock();
        if (this.turnStart < 0) {
          this.turnStart = now;
          setImmediate(this.endTurn);
        }
        if (now - this.turnStart <= this.sliceMs) {
          owner.handle(frame, now);
          return 'taken';
        }
      }
    } else if (waiting.count >= MAX_QUEUED_PER_OWNER) {
      return 'flooding';
    }
    if (this.queuedBytes + frame.length > MAX_QUEUED_BYTES) return 'busy';
    this.enqueue(owner, frame, waiting);
    return 'taken';
  }

  /** The owner closed: its frames that wait are dropped (its client fails the calls a lost socket had in flight). */
  forget(owner: T): void {
    const waiting = this.queue.size === 0 ? undefined : this.waiting.get(owner);
    if (waiting) waiting.closed = true;
  }

  private readonly endTurn = (): void => {
    this.turnStart = -1;
  };

  private enqueue(owner: T, frame: string | Buffer, waiting: Waiting | undefined): void {
    if (waiting) waiting.count++;
    else this.waiting.set(owner, { count: 1, closed: false });
    this.queuedBytes += frame.length;
    this.queue.push({ owner, frame });
    if (!this.draining) {
      this.draining = true;
      setImmediate(this.drainSlice);
    }
  }

  private readonly drainSlice = (): void => {
    void this.drain();
  };

  /** One slice: frames in order until `sliceMs` has passed (at least one); the rest in the next turn. */
  private async drain(): Promise<void> {
    try {
      const start = this.clock();
      let now = start;
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        this.queuedBytes -= next.frame.length;
        const waiting = this.waiting.get(next.owner)!;
        if (--waiting.count === 0) this.waiting.delete(next.owner);
        if (waiting.closed) continue;
        try {
          next.owner.handle(next.frame, now);
        } catch (error) {
          this.reportSafely(error);
        }
        // The continuations this frame set off that are ready run now, and count in the slice.
        await undefined;
        now = this.clock();
        if (now - start > this.sliceMs) break;
      }
    } finally {
      if (this.queue.size > 0) setImmediate(this.drainSlice);
      else this.draining = false;
    }
  }

  private reportSafely(error: unknown): void {
    try {
      this.report(error);
    } catch {
      // A report that throws must not stop the queue: the tabs behind would never be served.
    }
  }
}
