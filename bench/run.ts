/**
 * `bun run bench`: every scenario against its baselines in one run, a table
 * on stdout and the full figures in `bench/results/latest.json`.
 *
 * Flags: `--tiny` (the smoke-test workload), `--rounds N`, `--measure-ms N`,
 * `--only shapes|idle|fanout|storm|logins|locked|client|parts` (one scenario;
 * `parts`, what each part of an authed event costs at 50×1, runs only when
 * asked), `--shape 50x1` (one closed-loop shape, given as connections x in
 * flight; repeatable), `--runs N` (the whole run N times in a row: each run's
 * table, then every target's median, range and the runs that met it; each
 * run's figures in `bench/results/run-<i>.json`).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FULL_OPTIONS, TINY_OPTIONS, type BenchOptions } from './bench-options';
import { formatSummary } from './lib/format-table';
import { formatTargetsAcrossRuns, targetsAcrossRuns } from './lib/runs';
import { formatLockedDatabase } from './scenarios/locked-database';
import { runBench } from './harness';

function optionsFromArgs(args: string[]): BenchOptions {
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const options: BenchOptions = structuredClone(args.includes('--tiny') ? TINY_OPTIONS : FULL_OPTIONS);
  const rounds = value('--rounds');
  if (rounds) options.rounds = Number.parseInt(rounds, 10);
  const measure = value('--measure-ms');
  if (measure) options.measureMs = Number.parseInt(measure, 10);
  const only = value('--only');
  if (only) {
    if (!['shapes', 'idle', 'fanout', 'storm', 'logins', 'locked', 'client', 'parts'].includes(only)) {
      throw new Error(`--only takes shapes, idle, fanout, storm, logins, locked, client or parts, got ${only}`);
    }
    if (only !== 'shapes') options.shapes = [];
    if (only !== 'idle') options.idle = null;
    if (only !== 'fanout') options.fanout = null;
    if (only !== 'storm') options.storm = null;
    if (only !== 'logins') options.logins = null;
    if (only !== 'locked') options.locked = null;
    if (only !== 'client') options.client = null;
    options.parts =
      only === 'parts'
        ? {
            rounds: options.rounds,
            connections: 50,
            inFlight: 1,
            warmupMs: options.warmupMs,
            measureMs: options.measureMs,
            maxEvents: options.maxEvents,
          }
        : null;
  }
  const shapes = args.flatMap((arg, i) => (args[i - 1] === '--shape' ? [arg] : []));
  if (shapes.length > 0) {
    options.shapes = shapes.map((label) => {
      const [connections, inFlight] = label.split(/[x×]/).map((n) => Number.parseInt(n, 10));
      if (!connections || !inFlight) throw new Error(`--shape takes connections x in flight (50x1), got ${label}`);
      return { connections, inFlight };
    });
  }
  return options;
}

function runsFromArgs(args: string[]): number {
  const i = args.indexOf('--runs');
  if (i < 0) return 1;
  const runs = Number.parseInt(args[i + 1] ?? '', 10);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number of runs, got ${args[i + 1]}`);
  return runs;
}

const args = process.argv.slice(2);
const options = optionsFromArgs(args);
const runs = runsFromArgs(args);
const dir = resolve(import.meta.dir, 'results');
mkdirSync(dir, { recursive: true });
const summaries = [];
for (let run = 1; run <= runs; run++) {
  if (runs > 1) console.error(`run ${run} of ${runs}`);
  const summary = await runBench(options, (line) => console.error(line));
  summaries.push(summary);
  const file = join(dir, runs > 1 ? `run-${run}.json` : 'latest.json');
  await Bun.write(file, `${JSON.stringify(summary, null, 2)}\n`);
  if (runs > 1) console.log(`\nrun ${run} of ${runs}, ${new Date().toISOString()}`);
  console.log(formatSummary(summary));
  if (summary.locked) console.log(`\n${formatLockedDatabase(summary.locked)}`);
  console.log(`\n${summary.seconds.toFixed(0)} s; figures in ${file}`);
}
if (runs > 1) {
  const across = targetsAcrossRuns(summaries.map((s) => s.targets));
  await Bun.write(join(dir, 'runs.json'), `${JSON.stringify(across, null, 2)}\n`);
  console.log(`\nevery target over ${runs} runs\n\n${formatTargetsAcrossRuns(across)}`);
}
