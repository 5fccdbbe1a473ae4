import { describe, expect, test } from 'bun:test';
import { formatTargetsAcrossRuns, targetsAcrossRuns } from '../../bench/lib/runs';
import type { TargetCheck } from '../../bench/lib/targets';

const ratio = (value: number, met: boolean): TargetCheck => ({
  name: 'authed events/s ÷ bare, 50×1',
  target: '≥ 0.92',
  value,
  unit: '×',
  met,
});
const memory = (value: number): TargetCheck => ({ name: 'RSS per idle tab', target: '≤ 4 KB', value, unit: 'KB', met: value <= 4 });

describe('targets over several runs', () => {
  test('each target gets its median, range, values in run order and the runs that met it', () => {
    const across = targetsAcrossRuns([
      [ratio(0.9, false), memory(3.9)],
      [ratio(0.95, true), memory(4.2)],
      [ratio(0.93, true), memory(3.8)],
    ]);
    expect(across).toEqual([
      {
        name: 'authed events/s ÷ bare, 50×1',
        target: '≥ 0.92',
        unit: '×',
        values: [0.9, 0.95, 0.93],
        median: 0.93,
        min: 0.9,
        max: 0.95,
        metIn: 2,
        runs: 3,
      },
      {
        name: 'RSS per idle tab',
        target: '≤ 4 KB',
        unit: 'KB',
        values: [3.9, 4.2, 3.8],
        median: 3.9,
        min: 3.8,
        max: 4.2,
        metIn: 2,
        runs: 3,
      },
    ]);
  });

  test('a target one run did not check counts as not met there and leaves its value out of the median', () => {
    const [only] = targetsAcrossRuns([[ratio(0.9, false)], [], [ratio(1, true)]]);
    expect(only).toMatchObject({ values: [0.9, Number.NaN, 1], median: 0.95, min: 0.9, max: 1, metIn: 1, runs: 3 });
  });

  test('the table shows one line per target with its median, range, every run and the count met', () => {
    const table = formatTargetsAcrossRuns(targetsAcrossRuns([[ratio(0.9, false)], [ratio(0.95, true)]]));
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^target\s+bound\s+median\s+range\s+each run\s+met$/);
    expect(lines[2]).toContain('0.93 ×');
    expect(lines[2]).toContain('0.90–0.95');
    expect(lines[2]).toContain('0.90 0.95');
    expect(lines[2]).toMatch(/1 of 2$/);
  });
});
