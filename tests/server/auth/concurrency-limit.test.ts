import { describe, expect, test } from 'bun:test';
import { limitConcurrency } from '../../../server/auth/concurrency-limit';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('limitConcurrency', () => {
  test('never runs more than its slots at once, and starts waiters in order of arrival', async () => {
    const limit = limitConcurrency(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const runs = gates.map((gate, i) =>
      limit(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await Bun.sleep(1);
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await Bun.sleep(1);
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  test('a run that fails gives its slot to the next one', async () => {
    const limit = limitConcurrency(1);
    const failing = limit(() => Promise.reject(new Error('boom')));
    const next = limit(async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ran');
  });

  test('needs at least one slot', () => {
    expect(() => limitConcurrency(0)).toThrow();
  });
});
