import { cpus } from 'node:os';
import type { BenchOptions } from './bench-options';
import { openFileLimit } from './lib/bench-processes';
import { checkTargets, type TargetCheck } from './lib/targets';
import { clientLoadTargets, runClientLoad, type ClientLoadSummary } from './scenarios/client-load';
import { runIdleMemory, type IdleMemoryFigures } from './scenarios/idle-memory';
import { runLoginStorm, type LoginStormSummary } from './scenarios/login-storm';
import { runFanout, type FanoutSummary } from './scenarios/logout-fanout';
import { runEventParts, type EventPartsSummary } from './scenarios/event-parts';
import { lockedDatabaseTargets, runLockedDatabase, type LockedDatabaseSummary } from './scenarios/locked-database';
import { runReconnectStorm, stormTargets, type StormSummary } from './scenarios/reconnect-storm';
import { runShapes, type ShapeSummary } from './scenarios/shapes';

/** Where and when a run happened. */
export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  bun: string;
  platform: string;
  openFileLimit: number;
}

/** What `bun run bench` prints and writes to `bench/results/latest.json`. */
export interface BenchSummary {
  machine: MachineInfo;
  options: BenchOptions;
  shapes: ShapeSummary[];
  idle: IdleMemoryFigures[] | null;
  fanout: FanoutSummary | null;
  storm: StormSummary | null;
  logins: LoginStormSummary | null;
  locked: LockedDatabaseSummary | null;
  parts: EventPartsSummary | null;
  client: ClientLoadSummary | null;
  targets: TargetCheck[];
  seconds: number;
}

function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    bun: Bun.version,
    platform: `${process.platform} ${process.arch}`,
    openFileLimit: openFileLimit(),
  };
}

/**
 * Runs every scenario of `options`, each server and each load client in its
 * own process on 127.0.0.1, and checks the targets.
 *
 * @example
 * const summary = await runBench(FULL_OPTIONS, console.log);
 * console.log(formatSummary(summary));
 */
export async function runBench(options: BenchOptions, log: (line: string) => void = () => {}): Promise<BenchSummary> {
  if (process.platform !== 'linux') throw new Error('The bench reads /proc: it runs on Linux only.');
  const started = performance.now();
  let shapes: ShapeSummary[] = [];
  if (options.shapes.length > 0) {
    log('shapes (closed loop): ceiling, bare, authed per round');
    shapes = await runShapes(options, log);
  }
  let idle: IdleMemoryFigures[] | null = null;
  if (options.idle) {
    log('memory per idle connection');
    idle = await runIdleMemory(options.idle, log);
  }
  let fanout: FanoutSummary | null = null;
  if (options.fanout) {
    log('logout fan-out');
    fanout = await runFanout(options.fanout, log);
  }
  let storm: StormSummary | null = null;
  if (options.storm) {
    log('reconnect storm after a restart');
    storm = await runReconnectStorm(options.storm, log);
  }
  let logins: LoginStormSummary | null = null;
  if (options.logins) {
    log('latency of other connections during logins');
    logins = await runLoginStorm(options.logins, log);
  }
  let parts: EventPartsSummary | null = null;
  if (options.parts) {
    log('what each part of an authed event costs (50×1, closed loop)');
    parts = await runEventParts(options.parts, log);
  }
  let locked: LockedDatabaseSummary | null = null;
  if (options.locked) {
    log('several processes on one database file, and a write lock held elsewhere');
    locked = await runLockedDatabase(options.locked, log);
  }
  let client: ClientLoadSummary | null = null;
  if (options.client) {
    log('the example app in Chromium: bundle sizes, first state push against a static floor');
    try {
      client = await runClientLoad(options.client, log);
    } catch (error) {
      // The browser scenario needs Chromium and a production build: without them the rest of the run still counts.
      log(`  client scenario failed, left out of this run: ${(error as Error).message}`);
    }
  }
  return {
    machine: machineInfo(),
    options,
    shapes,
    idle,
    fanout,
    storm,
    logins,
    locked,
    parts,
    client,
    targets: [
      ...checkTargets({ shapes, idle, fanout, logins }),
      ...(storm ? stormTargets(storm) : []),
      ...(locked ? lockedDatabaseTargets(locked) : []),
      ...(client ? clientLoadTargets(client) : []),
    ],
    seconds: (performance.now() - started) / 1000,
  };
}
