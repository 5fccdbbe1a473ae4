import { describe, expect, test } from 'bun:test';
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
