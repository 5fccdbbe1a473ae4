import type { TargetCheck } from './targets';
import { textTable } from './format-table';
import { median } from './stats';

/** One target over several whole runs: its median, its spread, and in how many runs it was met. */
export interface TargetAcrossRuns {
  name: string;
  target: string;
  unit: string;
  /** In run order; `NaN` where a run did not measure it. */
  values: number[];
  median: number;
  min: number;
  max: number;
  metIn: number;
  runs: number;
}

/**
 * Every target of `runs` (each run's `targets`), in the order they first
 * appear: the median and the range of its values, and in how many of the runs
 * it was met. A target a run did not check counts as not met in that run.
 *
 * @example
 * const across = targetsAcrossRuns([first.targets, second.targets, third.targets]);
 * // [{ name: 'authed events/s ÷ bare, 50×1', median: 0.86, min: 0.81, max: 0.9, metIn: 3, runs: 3, … }, …]
 */
export function targetsAcrossRuns(runs: readonly (readonly TargetCheck[])[]): TargetAcrossRuns[] {
  const names: string[] = [];
  const first = new Map<string, TargetCheck>();
  for (const targets of runs) {
    for (const t of targets) {
      if (!first.has(t.name)) {
        first.set(t.name, t);
        names.push(t.name);
      }
    }
  }
  return names.map((name) => {
    const { target, unit } = first.get(name)!;
    const found = runs.map((targets) => targets.find((t) => t.name === name));
    const values = found.map((t) => t?.value ?? Number.NaN);
    const measured = values.filter(Number.isFinite);
    return {
      name,
      target,
      unit,
      values,
      median: measured.length > 0 ? median(measured) : Number.NaN,
      min: measured.length > 0 ? Math.min(...measured) : Number.NaN,
      max: measured.length > 0 ? Math.max(...measured) : Number.NaN,
      metIn: found.filter((t) => t?.met === true).length,
      runs: runs.length,
    };
  });
}

const fixed = (v: number): string => (Number.isFinite(v) ? v.toFixed(2) : '—');

/** The table `bun run bench --runs N` ends with: one line per target. */
export function formatTargetsAcrossRuns(across: readonly TargetAcrossRuns[]): string {
  const rows = across.map((t) => [
    t.name,
    t.target,
    `${fixed(t.median)} ${t.unit}`,
    `${fixed(t.min)}–${fixed(t.max)}`,
    t.values.map(fixed).join(' '),
    `${t.metIn} of ${t.runs}`,
  ]);
  return textTable(['target', 'bound', 'median', 'range', 'each run', 'met'], rows, 2);
}
