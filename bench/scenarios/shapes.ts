import { shapeLabel, type BenchOptions, type Shape } from '../bench-options';
import type { ClosedLoopJob, LoadFigures } from '../clients/jobs';
import { runClientJob, startBenchServer, stopBenchServer, type RunningServer } from '../lib/bench-processes';
import { median, ratio } from '../lib/stats';
import { SERVER_KINDS, type ServerKind } from '../servers/bench-server';

/** The medians of one server's rounds in one shape. */
export interface KindFigures {
  rounds: LoadFigures[];
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuUsPerEvent: number;
  serverRssBytes: number;
  errors: number;
}

/** Same-round ratios (median over rounds of the per-round ratio). */
export interface ShapeRatios {
  /** authed / bare events per second. */
  throughput: number;
  /** authed / bare server CPU per event. */
  cpuPerEvent: number;
  /** authed / bare p99 latency. */
  p99: number;
  /** bare / ceiling events per second. */
  bareVsCeiling: number;
  /** authed / ceiling events per second. */
  authedVsCeiling: number;
}

export interface ShapeSummary {
  shape: string;
  connections: number;
  inFlight: number;
  kinds: Record<ServerKind, KindFigures>;
  ratios: ShapeRatios;
}

function figuresOf(rounds: LoadFigures[]): KindFigures {
  const pick = (key: keyof LoadFigures) => median(rounds.map((r) => r[key]));
  return {
    rounds,
    eventsPerSecond: pick('eventsPerSecond'),
    p50Ms: pick('p50Ms'),
    p99Ms: pick('p99Ms'),
    serverCpuUsPerEvent: pick('serverCpuUsPerEvent'),
    serverRssBytes: pick('serverRssBytes'),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}

function pairedRatio(a: LoadFigures[], b: LoadFigures[], key: keyof LoadFigures): number {
  return median(a.map((r, i) => ratio(r[key], b[i]?.[key] ?? Number.NaN)));
}

/**
 * The closed-loop shapes against the three servers, all running at once in
 * their own processes. Each round runs ceiling, bare, authed back to back in
 * a fresh client process each, so drift on a shared machine hits all three.
 */
export async function runShapes(options: BenchOptions, log: (line: string) => void): Promise<ShapeSummary[]> {
  const servers = {} as Record<ServerKind, RunningServer>;
  for (const kind of SERVER_KINDS) servers[kind] = await startBenchServer(kind);
  const cookies = servers.authed.cookies;
  try {
    const out: ShapeSummary[] = [];
    for (const shape of options.shapes) out.push(await runShape(shape, servers, cookies, options, log));
    return out;
  } finally {
    for (const kind of SERVER_KINDS) await stopBenchServer(servers[kind]);
  }
}

async function runShape(
  shape: Shape,
  servers: Record<ServerKind, RunningServer>,
  cookies: string[],
  options: BenchOptions,
  log: (line: string) => void,
): Promise<ShapeSummary> {
  const rounds: Record<ServerKind, LoadFigures[]> = { ceiling: [], bare: [], authed: [] };
  for (let round = 1; round <= options.rounds; round++) {
    for (const kind of SERVER_KINDS) {
      const server = servers[kind];
      const job: ClosedLoopJob = {
        kind: 'closed-loop',
        port: server.port,
        serverPid: server.pid,
        // Every server gets the same frames and headers; only the authed one reads the cookie.
        cookies,
        connections: shape.connections,
        inFlight: shape.inFlight,
        warmupMs: options.warmupMs,
        measureMs: options.measureMs,
        maxEvents: options.maxEvents,
      };
      const figures = await runClientJob<LoadFigures>(job);
      rounds[kind].push(figures);
      log(
        `  ${shapeLabel(shape)} round ${round}/${options.rounds} ${kind.padEnd(7)} ` +
          `${Math.round(figures.eventsPerSecond)} ev/s, p99 ${figures.p99Ms.toFixed(2)} ms, ` +
          `${figures.serverCpuUsPerEvent.toFixed(1)} µs CPU/event${figures.errors ? `, ${figures.errors} errors` : ''}`,
      );
    }
  }
  return {
    shape: shapeLabel(shape),
    connections: shape.connections,
    inFlight: shape.inFlight,
    kinds: { ceiling: figuresOf(rounds.ceiling), bare: figuresOf(rounds.bare), authed: figuresOf(rounds.authed) },
    ratios: {
      throughput: pairedRatio(rounds.authed, rounds.bare, 'eventsPerSecond'),
      cpuPerEvent: pairedRatio(rounds.authed, rounds.bare, 'serverCpuUsPerEvent'),
      p99: pairedRatio(rounds.authed, rounds.bare, 'p99Ms'),
      bareVsCeiling: pairedRatio(rounds.bare, rounds.ceiling, 'eventsPerSecond'),
      authedVsCeiling: pairedRatio(rounds.authed, rounds.ceiling, 'eventsPerSecond'),
    },
  };
}
