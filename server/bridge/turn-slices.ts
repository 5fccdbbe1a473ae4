/**
 * Keeps the event loop's turns short when frames pile up, so that the server
 * goes on accepting connections.
 *
 * Bun accepts new connections between turns of its event loop, from a queue
 * the kernel holds for it (512 long, not configurable). After a deploy or a
 * crash every tab comes back within a second or two; a turn then delivers
 * hundreds of frames (connection params, subscriptions), and handling them
 * one after another keeps the loop away from that queue long enough for it
 * to overflow. The kernel drops what does not fit, and each dropped
 * connection is tried again by TCP only after a second, then three. Handling
 * the same frames in slices of a few milliseconds, with the loop polling
 * between them, lets the accepts keep up: the same work, without the
 * retransmission waits (`bench/README.md`, the reconnect storm).
 *
 * Only the frames of sockets still setting up are sliced: their connection
 * params and first subscription, the work a returning tab costs. The events
 * of tabs that are back are handled at once, as they always were (their own
 * TCP flow control holds back a client that sends faster than the server
 * answers, which a queue would undo), and so a storm does not delay them.
 * In a quiet turn a frame of a socket setting up is handled at once too.
 * Once a turn has spent `sliceMs` on them, later ones queue until the queue
 * is empty again, handled in order; an owner (a socket) whose frames wait
 * keeps its later frames behind them, even once it is set up.
 */

/** What owns queued frames (a socket): how many it has queued. */
export interface SliceOwner {
  /** Its frames waiting in the queue; while any do, its next ones queue behind them. */
  queued: number;
}

interface Queued<T> {
  owner: T;
  /** A frame to handle, or `null` for the owner's close, which waits for its frames. */
  frame: string | Buffer | null;
}

/** The queue: an array read from `head`, emptied once read through. */
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
    }
    return item;
  }
}

/** How long one turn of the event loop handles frames before the rest wait for the next turns. */
export const TURN_SLICE_MS = 4;

/**
 * The most frames one socket may have waiting. A tab sends two while it sets
 * up (its connection params, its subscription); a socket with this many
 * waiting floods, and its frames are not read into memory without bound.
 */
export const MAX_QUEUED_PER_OWNER = 64;

/**
 * The frames of every socket of one server, handled at once or in slices
 * (see the module's comment). `run` handles one frame (`null`: the owner
 * closed) at `now`, the clock's reading when one was taken (the frame's
 * message budget spends at it, so a frame reads the clock once); `report`
 * hears what `run` throws, and the queue goes on.
 *
 * @example
 * const slices = new TurnSlices<Tab>((tab, frame) => tab.handle(frame), (error) => log.error('frame failed', { error }));
 * if (!slices.offer(tab, frame, tab.ready)) ws.close(1008); // in the socket's `message`
 */
export class TurnSlices<T extends SliceOwner> {
  private readonly queue = new Queue<Queued<T>>();
  /** When the current turn began handling frames at once; `-1` outside such a turn. */
  private turnStart = -1;
  private draining = false;

  constructor(
    private readonly run: (owner: T, frame: string | Buffer | null, now: number | undefined) => void,
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
   * that wait, if any. Otherwise a set-up owner's (`setUp`: a tab that is
   * back) is handled at once, as it always was; an owner's setting up waits
   * when other frames wait or this turn has handled such frames for `sliceMs`.
   * `false`, and the frame dropped, when the owner has
   * {@link MAX_QUEUED_PER_OWNER} frames waiting already: the caller closes it.
   */
  offer(owner: T, frame: string | Buffer, setUp: boolean): boolean {
    if (owner.queued === 0) {
      if (setUp) {
        this.run(owner, frame, undefined);
        return true;
      }
      if (this.pending === 0) {
        const now = this.clock();
        if (this.turnStart < 0) {
          this.turnStart = now;
          setImmediate(this.endTurn);
        }
        if (now - this.turnStart <= this.sliceMs) {
          this.run(owner, frame, now);
          return true;
        }
      }
    } else if (owner.queued >= MAX_QUEUED_PER_OWNER) {
      return false;
    }
    this.enqueue(owner, frame);
    return true;
  }

  /** The owner closed: at once when none of its frames wait, else after them. */
  close(owner: T): void {
    if (owner.queued === 0) this.run(owner, null, this.clock());
    else this.enqueue(owner, null);
  }

  private readonly endTurn = (): void => {
    this.turnStart = -1;
  };

  private enqueue(owner: T, frame: string | Buffer | null): void {
    owner.queued++;
    this.queue.push({ owner, frame });
    if (!this.draining) {
      this.draining = true;
      setImmediate(this.drain);
    }
  }

  /** One slice: frames in order until `sliceMs` has passed; the rest in the next turn. */
  private readonly drain = (): void => {
    const start = this.clock();
    let now = start;
    do {
      const next = this.queue.shift();
      if (next === undefined) break;
      next.owner.queued--;
      try {
        this.run(next.owner, next.frame, now);
      } catch (error) {
        this.report(error);
      }
      now = this.clock();
    } while (now - start <= this.sliceMs);
    if (this.pending > 0) setImmediate(this.drain);
    else this.draining = false;
  };
}
