import { describe, expect, test } from 'bun:test';
import { MAX_QUEUED_PER_OWNER, TurnSlices, type SliceOwner } from '../../../server/bridge/turn-slices';

/**
 * The frames of sockets setting up (a reconnect storm's connection params and
 * subscriptions) are handled in slices of a turn, so the event loop gets back
 * to accepting connections between them; the events of tabs that are back
 * are handled at once. Each socket's frames keep their order.
 */

/** A clock the test moves: each frame handled takes `costMs` of it. */
function slices(costMs = 3, sliceMs = 4) {
  const clock = { now: 0 };
  const handled: string[] = [];
  const readings: (number | undefined)[] = [];
  const reports: unknown[] = [];
  class Owner implements SliceOwner {
    constructor(readonly name: string) {}
    handle(frame: string | Buffer, now: number | undefined): void {
      if (frame === 'throw') throw new Error(`${this.name} broke`);
      handled.push(`${this.name}:${frame}`);
      readings.push(now);
      clock.now += costMs;
    }
  }
  const turn = new TurnSlices<Owner>(
    (error) => reports.push(error),
    sliceMs,
    () => clock.now,
  );
  const owners = (...names: string[]) => names.map((name) => new Owner(name));
  return { turn, handled, readings, reports, clock, owners };
}

/** Lets the event loop turn `count` times (each turn runs one slice of the queue). */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('TurnSlices', () => {
  test('a quiet turn handles every frame at once, with the clock reading it took', () => {
    const { turn, handled, readings, owners } = slices(1, 4);
    const [a] = owners('a');
    expect(turn.offer(a!, 'params', false)).toBe('taken');
    expect(turn.offer(a!, 'subscribe', false)).toBe('taken');
    expect(handled).toEqual(['a:params', 'a:subscribe']);
    expect(readings).toEqual([0, 1]);
    expect(turn.pending).toBe(0);
  });

  test('once a turn is past its slice, frames of sockets setting up wait for later turns, in order', async () => {
    const { turn, handled, owners } = slices(3, 4);
    const [a, b, c] = owners('a', 'b', 'c');
    turn.offer(a!, 'params', false); // at 0 ms, done at 3
    turn.offer(b!, 'params', false); // at 3 ms, within the slice; done at 6
    turn.offer(c!, 'params', false); // at 6 ms: waits
    turn.offer(a!, 'subscribe', false); // others wait: behind c
    expect(handled).toEqual(['a:params', 'b:params']);
    expect(turn.pending).toBe(2);
    await turns(3);
    expect(handled).toEqual(['a:params', 'b:params', 'c:params', 'a:subscribe']);
    expect(turn.pending).toBe(0);
  });

  test('a slice ends once its time is spent, and the loop turns before the next', async () => {
    const { turn, handled, owners } = slices(3, 4);
    for (const owner of owners('t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7')) turn.offer(owner, 'params', false);
    expect(handled).toHaveLength(2);
    const seenBetween: number[] = [];
    // Scheduled once the first slice is queued: it runs before the queue is through.
    setImmediate(() => seenBetween.push(handled.length));
    await turns(10);
    expect(handled).toHaveLength(8);
    expect(seenBetween[0]).toBeGreaterThan(2);
    expect(seenBetween[0]).toBeLessThan(8);
  });

  test('what a queued frame sets off that is ready at once counts in its slice', async () => {
    const clock = { now: 0 };
    const handled: string[] = [];
    const turn = new TurnSlices<SliceOwner>(
      () => {},
      4,
      () => clock.now,
    );
    // Takes 10 ms at once: the turn is spent, the rest queue.
    turn.offer({ handle: () => void (clock.now += 10) }, 'params', false);
    // Each of these is quick, but sets off a continuation that takes 5 ms.
    const owner = (name: string): SliceOwner => ({
      handle(frame) {
        handled.push(`${name}:${frame}`);
        void Promise.resolve().then(() => (clock.now += 5));
      },
    });
    for (const name of ['b', 'c', 'd']) turn.offer(owner(name), 'params', false);
    expect(turn.pending).toBe(3);
    await turns(1);
    expect(handled).toEqual(['b:params']);
    await turns(2);
    expect(handled).toEqual(['b:params', 'c:params', 'd:params']);
  });

  test('events of tabs that are back are handled at once, even while others wait', async () => {
    const { turn, handled, readings, owners } = slices(3, 4);
    const [a, b, c, back] = owners('a', 'b', 'c', 'back');
    turn.offer(a!, 'params', false);
    turn.offer(b!, 'params', false);
    turn.offer(c!, 'params', false);
    expect(turn.pending).toBe(1);
    turn.offer(back!, 'event', true);
    expect(handled).toEqual(['a:params', 'b:params', 'back:event']);
    // A set-up socket's frame reads no clock here: its message budget reads its own.
    expect(readings[2]).toBeUndefined();
    await turns(2);
    expect(handled.at(-1)).toBe('c:params');
  });

  test('a socket with frames waiting keeps its next ones behind them, even once set up', async () => {
    const { turn, handled, owners } = slices(3, 4);
    const [a, b, c] = owners('a', 'b', 'c');
    turn.offer(a!, 'params', false);
    turn.offer(b!, 'params', false);
    turn.offer(c!, 'params', false);
    turn.offer(c!, 'event', true); // its context was built elsewhere meanwhile
    expect(handled).toEqual(['a:params', 'b:params']);
    await turns(3);
    expect(handled).toEqual(['a:params', 'b:params', 'c:params', 'c:event']);
  });

  test('a closed socket’s waiting frames are dropped; the others’ are handled', async () => {
    const { turn, handled, owners } = slices(3, 4);
    const [a, b, c, d] = owners('a', 'b', 'c', 'd');
    turn.offer(a!, 'params', false);
    turn.offer(b!, 'params', false);
    turn.offer(c!, 'params', false);
    turn.offer(d!, 'params', false);
    turn.offer(c!, 'subscribe', false);
    turn.forget(c!);
    await turns(4);
    expect(handled).toEqual(['a:params', 'b:params', 'd:params']);
    expect(turn.pending).toBe(0);
  });

  test('a frame that throws is reported, and the frames behind it are still handled, even when the report throws too', async () => {
    const { turn, handled, reports, owners } = slices(3, 4);
    const [a, b, c, d] = owners('a', 'b', 'c', 'd');
    turn.offer(a!, 'params', false);
    turn.offer(b!, 'params', false);
    turn.offer(c!, 'throw', false);
    turn.offer(d!, 'params', false);
    await turns(3);
    expect(reports).toHaveLength(1);
    expect((reports[0] as Error).message).toBe('c broke');
    expect(handled).toEqual(['a:params', 'b:params', 'd:params']);

    const silent = new TurnSlices<SliceOwner>(
      () => {
        throw new Error('the log is down');
      },
      -1, // no frame at once: every one queues, one per slice
      () => 10,
    );
    const seen: string[] = [];
    const thrower: SliceOwner = {
      handle() {
        throw new Error('broke');
      },
    };
    const after: SliceOwner = { handle: (frame) => void seen.push(String(frame)) };
    silent.offer(thrower, 'x', false);
    silent.offer(thrower, 'y', false);
    silent.offer(after, 'z', false);
    await turns(5);
    expect(seen).toEqual(['z']);
    expect(silent.pending).toBe(0);
  });

  test('a socket flooding frames is refused past its share of the queue; the others are not', async () => {
    const { turn, handled, owners } = slices(3, 4);
    const [a, b, flood] = owners('a', 'b', 'flood');
    turn.offer(a!, 'params', false);
    turn.offer(b!, 'params', false);
    const offered = Array.from({ length: MAX_QUEUED_PER_OWNER + 5 }, (_, i) => turn.offer(flood!, `f${i}`, false));
    expect(offered.filter((o) => o === 'taken')).toHaveLength(MAX_QUEUED_PER_OWNER);
    expect(offered.slice(MAX_QUEUED_PER_OWNER).every((o) => o === 'flooding')).toBe(true);
    expect(turn.offer(a!, 'subscribe', false)).toBe('taken');
    await turns(MAX_QUEUED_PER_OWNER + 10);
    expect(handled.filter((h) => h.startsWith('flood:'))).toHaveLength(MAX_QUEUED_PER_OWNER);
    expect(handled.at(-1)).toBe('a:subscribe');
  });

  test('past the bytes every socket may have waiting, a socket setting up is told the server is busy', () => {
    const { turn, owners } = slices(3, 4);
    const [a, b, c, d] = owners('a', 'b', 'c', 'd');
    turn.offer(a!, 'params', false);
    turn.offer(b!, 'params', false);
    const big = 'x'.repeat(20 * 1024 * 1024);
    expect(turn.offer(c!, big, false)).toBe('taken');
    expect(turn.offer(d!, big, false)).toBe('busy');
    expect(turn.pending).toBe(1);
  });

  test('a new turn handles frames at once again once the queue is through', async () => {
    const { turn, handled, owners } = slices(3, 4);
    const [a, b, c] = owners('a', 'b', 'c');
    turn.offer(a!, 'params', false);
    turn.offer(b!, 'params', false);
    turn.offer(c!, 'params', false);
    await turns(3);
    expect(turn.pending).toBe(0);
    turn.offer(a!, 'subscribe', false);
    expect(handled.at(-1)).toBe('a:subscribe');
  });
});
