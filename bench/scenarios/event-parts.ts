import type { ClosedLoopJob, LoadFigures } from '../clients/jobs';
import { runClientJob, startBenchServer, stopBenchServer, type RunningServer } from '../lib/bench-processes';
import { BUMP_PATH } from '../lib/rpc-frames';
import { median, ratio } from '../lib/stats';

/** The event parts probe's workload (`bun run bench --only parts`). */
export interface EventPartsOptions {
  rounds: number;
  connections: number;
  inFlight: number;
  warmupMs: number;
  measureMs: number;
  maxEvents: number | null;
}

/** One closed-loop load of the probe: which server process, which procedure. */
interface Part {
  name: string;
  what: string;
  server: 'bare' | 'bare-loaded' | 'authed';
  path: string;
}

/**
 * `bench.bump` on the authed server with one part taken away at a time, and
 * bare in a process that also holds a whole idle Statehouse: what each part
 * of an authed event costs in the real server (socket, kernel, GC and all),
 * as ratios to bare in the same round.
 */
export const EVENT_PARTS: readonly Part[] = [
  { name: 'bare', what: 'plain tRPC procedure, empty context', server: 'bare', path: BUMP_PATH },
  { name: 'bare, Statehouse loaded', what: 'bare, beside an idle Statehouse in its process', server: 'bare-loaded', path: BUMP_PATH },
  { name: 'bridge only', what: 'session, user, event context; no guard, no write', server: 'authed', path: 'bench.bumpBridgeOnly' },
  { name: '+ can(perm)', what: 'the bridge and the guard; no write', server: 'authed', path: 'bench.bumpNoWrite' },
  { name: '+ slice write', what: 'the bridge and the write with its delta; no guard', server: 'authed', path: 'bench.bumpUnguarded' },
  { name: 'authed (all of it)', what: 'bench.bump: bridge, can(perm), write, delta', server: 'authed', path: BUMP_PATH },
];

export interface EventPartFigures {
  name: string;
  what: string;
  rounds: LoadFigures[];
  eventsPerSecond: number;
  serverCpuUsPerEvent: number;
  /** Medians of the same-round ratios to bare. */
  throughputVsBare: number;
  cpuVsBare: number;
}

export interface EventPartsSummary {
  options: EventPartsOptions;
  parts: EventPartFigures[];
}

/** Every part of {@link EVENT_PARTS} in turn, `options.rounds` times, each load in a fresh client process. */
export async function runEventParts(options: EventPartsOptions, log: (line: string) => void): Promise<EventPartsSummary> {
  const servers: Partial<Record<Part['server'], RunningServer>> = {};
  try {
    for (const kind of ['bare', 'bare-loaded', 'authed'] as const) servers[kind] = await startBenchServer(kind);
    const rounds = EVENT_PARTS.map(() => [] as LoadFigures[]);
    for (let round = 1; round <= options.rounds; round++) {
      for (const [i, part] of EVENT_PARTS.entries()) {
        const server = servers[part.server]!;
        const job: ClosedLoopJob = {
          kind: 'closed-loop',
          port: server.port,
          serverPid: server.pid,
          // Every server gets the same frames and headers; only the authed one reads the cookie.
          cookies: servers.authed!.cookies,
          connections: options.connections,
          inFlight: options.inFlight,
          warmupMs: options.warmupMs,
          measureMs: options.measureMs,
          maxEvents: options.maxEvents,
          path: part.path,
        };
        const figures = await runClientJob<LoadFigures>(job);
        rounds[i]!.push(figures);
        log(
          `  parts round ${round}/${options.rounds} ${part.name.padEnd(24)} ${Math.round(figures.eventsPerSecond)} ev/s, ` +
            `${figures.serverCpuUsPerEvent.toFixed(1)} µs CPU/event${figures.errors ? `, ${figures.errors} errors` : ''}`,
        );
      }
    }
    const bare = rounds[0]!;
    const paired = (figures: LoadFigures[], key: 'eventsPerSecond' | 'serverCpuUsPerEvent') =>
      median(figures.map((r, i) => ratio(r[key], bare[i]?.[key] ?? Number.NaN)));
    return {
      options,
      parts: EVENT_PARTS.map((part, i) => ({
        name: part.name,
        what: part.what,
        rounds: rounds[i]!,
        eventsPerSecond: median(rounds[i]!.map((r) => r.eventsPerSecond)),
        serverCpuUsPerEvent: median(rounds[i]!.map((r) => r.serverCpuUsPerEvent)),
        throughputVsBare: paired(rounds[i]!, 'eventsPerSecond'),
        cpuVsBare: paired(rounds[i]!, 'serverCpuUsPerEvent'),
      })),
    };
  } finally {
    for (const server of Object.values(servers)) await stopBenchServer(server);
  }
}

const fixed = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');

/** The probe's rows: `[part, what runs, events/s, ×bare, CPU µs/ev, CPU ×bare]`. */
export function eventPartsRows(summary: EventPartsSummary): string[][] {
  return summary.parts.map((p) => [
    p.name,
    p.what,
    Math.round(p.eventsPerSecond).toLocaleString('en-US'),
    fixed(p.throughputVsBare, 2),
    fixed(p.serverCpuUsPerEvent, 1),
    fixed(p.cpuVsBare, 2),
  ]);
}
