import { describe, expect, test } from 'bun:test';
import { dashboard, startTestServer } from '../../helpers/server';
import { defineSlice, initialValues } from '../../../server/state/slices';

describe('initialValues', () => {
  test('a flat slice starts from a copy its tab may change', () => {
    const counter = defineSlice('counter', { n: 0, label: 'a', on: false, none: null });
    const values = initialValues(counter);
    expect(values).toEqual({ n: 0, label: 'a', on: false, none: null });
    values.n = 5;
    expect(counter.initial.n).toBe(0);
    expect(initialValues(counter)).not.toBe(initialValues(counter));
  });

  test('a slice with lists or objects starts from a deep copy', () => {
    const board = defineSlice('board', { tags: ['x'], filter: { mine: true } });
    const values = initialValues(board) as { tags: string[]; filter: { mine: boolean } };
    values.tags.push('y');
    values.filter.mine = false;
    expect(board.initial).toEqual({ tags: ['x'], filter: { mine: true } });
    expect(initialValues(board)).toEqual({ tags: ['x'], filter: { mine: true } });
  });
});

describe('a slice a tab never changed', () => {
  test('is sent in the first push but not kept; the first change starts from its initial values', async () => {
    const server = await startTestServer();
    try {
      const alice = await server.userWithSession('alice');
      const ws = await server.open({ cookie: alice.cookie });
      const push = await ws.subscribeState();
      expect(push.delta.dashboard).toEqual(dashboard.initial);
      const [conn] = [...server.statehouse.runtime.registry.all];
      expect(conn!.slices.has('dashboard')).toBe(false);
      expect(await ws.ok('mutation', 'probe.bump', undefined)).toMatchObject({ data: 1, delta: { dashboard: { counter: 1 } } });
      expect(conn!.slices.get('dashboard')).toEqual({ ...dashboard.initial, counter: 1 });
      expect(dashboard.initial.counter).toBe(0);
      await ws.close();
    } finally {
      await server.stop();
    }
  });
});
