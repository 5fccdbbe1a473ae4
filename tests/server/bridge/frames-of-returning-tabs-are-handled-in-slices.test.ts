import { describe, expect, test } from 'bun:test';
import { MAX_QUEUED_PER_OWNER, TurnSlices, type SliceOwner } from '../../../server/bridge/turn-slices';

/**
 * The frames of sockets setting up (a reconnect storm's connection params and
 * subscriptions) are handled in slices of a turn, so the event loop gets back
 * to accepting connections between them; the events of tabs that are back
 * are handled at once. Each socket's frames keep their order.
 */

interface Owner extends SliceOwner {
  name: string;
}

const owner = (name: string): Owner => ({ name, queued: 0 });

/** Slices over a clock the test moves: each frame handled takes `costMs`. */
function slices(costMs = 3, sliceMs = 4) {
  let now = 0;
  const handled: string[] = [];
  const reports: unknown[] = [];
  const turn = new TurnSlices<Owner>(
    (who, frame) => {
      if (frame === 'throw') throw new Error(`${who.name} broke`);
      handled.push(`${who.name}:${frame ?? 'close'}`);
      now += costMs;
    },
    (error) => reports.push(error),
    sliceMs,
    () => now,
  );
  return { turn, handled, reports };
}

/** Lets the event loop turn until `turns` immediates have run. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('TurnSlices', () => {
  test('a quiet turn handles every frame at once', () => {
    const { turn, handled } = slices(1, 4);
    const a = owner('a');
    turn.offer(a, 'params', false);
    turn.offer(a, 'subscribe', false);
    expect(handled).toEqual(['a:params', 'a:subscribe']);
    expect(turn.pending).toBe(0);
  });

  test('once a turn has spent its slice on sockets setting up, theirs wait for later turns, each in order', async () => {
    const { turn, handled } = slices(3, 4);
    const [a, b, c] = [owner('a'), owner('b'), owner('c')];
    turn.offer(a, 'params', false); // 3 ms
    turn.offer(b, 'params', false); // 6 ms: still begun within the slice
    turn.offer(c, 'params', false); // past it: waits
    turn.offer(a, 'subscribe', false); // waits too, behind c
    expect(handled).toEqual(['a:params', 'b:params']);
    expect(turn.pending).toBe(2);
    expect([c.queued, a.queued]).toEqual([1, 1]);
    await turns(3);
    expect(handled).toEqual(['a:params', 'b:params', 'c:params', 'a:subscribe']);
    expect(turn.pending).toBe(0);
    expect([c.queued, a.queued]).toEqual([0, 0]);
  });

  test('the loop gets a turn between slices', async () => {
    const { turn, handled } = slices(3, 4);
    const owners = Array.from({ length: 8 }, (_, i) => owner(`t${i}`));
    for (const o of owners) turn.offer(o, 'params', false);
    const seenBetween: number[] = [];
    // Scheduled once the first slice is queued: it runs before the queue is through.
    setImmediate(() => seenBetween.push(handled.length));
    await turns(10);
    expect(handled).toHaveLength(8);
    expect(seenBetween[0]).toBeGreaterThan(0);
    expect(seenBetween[0]).toBeLessThan(8);
  });

  test('events of tabs that are back are handled at once, even while others wait', async () => {
    const { turn, handled } = slices(3, 4);
    const [a, b, c, back] = [owner('a'), owner('b'), owner('c'), owner('back')];
    turn.offer(a, 'params', false);
    turn.offer(b, 'params', false);
    turn.offer(c, 'params', false);
    expect(turn.pending).toBe(1);
    turn.offer(back, 'event', true);
    expect(handled).toEqual(['a:params', 'b:params', 'back:event']);
    await turns(2);
    expect(handled.at(-1)).toBe('c:params');
  });

  test('a socket with frames waiting keeps its next ones behind them, even once set up', async () => {
    const { turn, handled } = slices(3, 4);
    const [a, b, c] = [owner('a'), owner('b'), owner('c')];
    turn.offer(a, 'params', false);
    turn.offer(b, 'params', false);
    turn.offer(c, 'params', false);
    // c is set up meanwhile (its context built elsewhere): its event still follows its params.
    turn.offer(c, 'event', true);
    expect(handled).toEqual(['a:params', 'b:params']);
    await turns(3);
    expect(handled).toEqual(['a:params', 'b:params', 'c:params', 'c:event']);
  });

  test('a socket that is set up while others wait is handled at once; one whose frames wait follows them', async () => {
    const { turn, handled } = slices(3, 4);
    const [e, f, g] = [owner('e'), owner('f'), owner('g')];
    turn.offer(e, 'params', false);
    turn.offer(f, 'params', false);
    turn.offer(g, 'params', false); // waits
    turn.offer(f, 'subscribe', false); // f has nothing waiting, but others do: behind g
    turn.offer(e, 'event', true); // e is back, nothing of it waits: at once
    expect(handled).toEqual(['e:params', 'f:params', 'e:event']);
    await turns(3);
    expect(handled).toEqual(['e:params', 'f:params', 'e:event', 'g:params', 'f:subscribe']);
  });

  test('a close waits behind the socket’s frames; with none waiting it is at once', async () => {
    const { turn, handled } = slices(3, 4);
    const [a, b, c] = [owner('a'), owner('b'), owner('c')];
    turn.offer(a, 'params', false);
    turn.offer(b, 'params', false);
    turn.offer(c, 'params', false);
    turn.close(c);
    turn.close(a);
    expect(handled).toEqual(['a:params', 'b:params', 'a:close']);
    await turns(3);
    expect(handled).toEqual(['a:params', 'b:params', 'a:close', 'c:params', 'c:close']);
  });

  test('a frame that throws is reported, and the frames behind it are still handled', async () => {
    const { turn, handled, reports } = slices(3, 4);
    const [a, b, c, d] = [owner('a'), owner('b'), owner('c'), owner('d')];
    turn.offer(a, 'params', false);
    turn.offer(b, 'params', false);
    turn.offer(c, 'throw', false);
    turn.offer(d, 'params', false);
    await turns(3);
    expect(reports).toHaveLength(1);
    expect((reports[0] as Error).message).toBe('c broke');
    expect(handled).toEqual(['a:params', 'b:params', 'd:params']);
    expect(turn.pending).toBe(0);
  });

  test('a new turn handles frames at once again once the queue is through', async () => {
    const { turn, handled } = slices(3, 4);
    const [a, b, c] = [owner('a'), owner('b'), owner('c')];
    turn.offer(a, 'params', false);
    turn.offer(b, 'params', false);
    turn.offer(c, 'params', false);
    await turns(3);
    expect(turn.pending).toBe(0);
    turn.offer(a, 'subscribe', false);
    expect(handled.at(-1)).toBe('a:subscribe');
  });

  test('a socket flooding frames while it sets up is refused past its share of the queue; the others are not', async () => {
    const { turn, handled } = slices(3, 4);
    const [a, b, flood] = [owner('a'), owner('b'), owner('flood')];
    turn.offer(a, 'params', false);
    turn.offer(b, 'params', false);
    const accepted = Array.from({ length: MAX_QUEUED_PER_OWNER + 5 }, (_, i) => turn.offer(flood, `f${i}`, false));
    expect(accepted.filter(Boolean)).toHaveLength(MAX_QUEUED_PER_OWNER);
    expect(accepted.slice(MAX_QUEUED_PER_OWNER).every((ok) => !ok)).toBe(true);
    expect(turn.offer(a, 'subscribe', false)).toBe(true);
    await turns(200);
    expect(handled.filter((h) => h.startsWith('flood:'))).toHaveLength(MAX_QUEUED_PER_OWNER);
    expect(handled.at(-1)).toBe('a:subscribe');
  });
});
