/**
 * `bun run bench`: every scenario against its baselines in one run, a table
 * on stdout and the full figures in `bench/results/latest.json`.
 *
 * Flags: `--tiny` (the smoke-test workload), `--rounds N`, `--measure-ms N`,
 * `--only shapes|idle|fanout|storm|logins|locked|client` (one scenario), `--shape 50x1`
 * (one closed-loop shape, given as connections x in flight; repeatable).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FULL_OPTIONS, TINY_OPTIONS, type BenchOptions } from './bench-options';
import { formatSummary } from './lib/format-table';
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
    if (!['shapes', 'idle', 'fanout', 'storm', 'logins', 'locked', 'client'].includes(only)) {
      throw new Error(`--only takes shapes, idle, fanout, storm, logins, locked or client, got ${only}`);
    }
    if (only !== 'shapes') options.shapes = [];
    if (only !== 'idle') options.idle = null;
    if (only !== 'fanout') options.fanout = null;
    if (only !== 'storm') options.storm = null;
    if (only !== 'logins') options.logins = null;
    if (only !== 'locked') options.locked = null;
    if (only !== 'client') options.client = null;
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

const options = optionsFromArgs(process.argv.slice(2));
const summary = await runBench(options, (line) => console.error(line));
const dir = resolve(import.meta.dir, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'latest.json');
await Bun.write(file, `${JSON.stringify(summary, null, 2)}\n`);
console.log(formatSummary(summary));
if (summary.locked) console.log(`\n${formatLockedDatabase(summary.locked)}`);
console.log(`\n${summary.seconds.toFixed(0)} s; figures in ${file}`);
