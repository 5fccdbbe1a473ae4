import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StormFigures, StormJob } from '../clients/jobs';
import { startClient, stopBenchServer, type RunningServer } from '../lib/bench-processes';
import { readProcSample, tcpCounters } from '../lib/proc-stats';
import { targetCheck, type TargetCheck } from '../lib/targets';
import { median, ratio } from '../lib/stats';
import { WorkerProcess, type WorkerMessage } from '../lib/worker-process';

const SERVER_MAIN = resolve(import.meta.dir, '../servers/server-main.ts');

/** The reconnect storm's workload (`bun run bench --only storm`). */
export interface StormOptions {
  tabs: number;
  /** Sessions the tabs share (the authed server): `tabs / sessions` tabs each. */
  sessions: number;
  /** Users the sessions belong to. */
  users: number;
  rounds: number;
  /** Every this many tabs, one sends an event every 100 ms once back. */
  probeEvery: number;
  timeoutMs: number;
}

export const STORM_OPTIONS: StormOptions = { tabs: 10_000, sessions: 1_000, users: 100, rounds: 1, probeEvery: 50, timeoutMs: 60_000 };
export const TINY_STORM_OPTIONS: StormOptions = { tabs: 40, sessions: 8, users: 2, rounds: 1, probeEvery: 10, timeoutMs: 20_000 };

type StormKind = 'ceiling' | 'authed';

export interface StormSummary {
  options: StormOptions;
  rounds: Record<StormKind, StormFigures[]>;
  /** Medians over rounds. */
  authedP99BackMs: number;
  ceilingP99BackMs: number;
  /** authed ÷ ceiling time to 99 % back, median of the per-round ratios. */
  ratioToCeiling: number;
  authedProbeP99Ms: number;
  ceilingProbeP99Ms: number;
  /** The restarted server's CPU (every thread) from the drop until all were back, per tab. */
  authedServerCpuUsPerTab: number;
  ceilingServerCpuUsPerTab: number;
  /** The same, the event loop's thread only: ≥ this many µs per tab, one after another, is the storm's floor on any machine. */
  authedMainThreadCpuUsPerTab: number;
  /** Medians over rounds: attempts that failed and were retried after the backoff; connections dropped by a full accept queue. */
  authedRefusedAttempts: number;
  ceilingRefusedAttempts: number;
  authedListenOverflows: number;
  ceilingListenOverflows: number;
  /** Summed over the authed rounds. */
  lost: number;
  signedOut: number;
  errors: number;
}

function spawnServer(kind: StormKind, options: { dir: string; port?: number }): WorkerProcess {
  return WorkerProcess.spawn(SERVER_MAIN, [kind, JSON.stringify(options)], { NODE_ENV: 'production' });
}

async function ready(worker: WorkerProcess, kind: StormKind): Promise<RunningServer> {
  const msg = await worker.next<WorkerMessage & { port: number; cookies: string[] }>('ready');
  return { kind, worker, pid: worker.pid, port: msg.port, cookies: msg.cookies };
}

/**
 * One storm: a server with `tabs` subscribed tabs (authed: over `sessions`
 * sessions in a database kept in a temp directory), a second server process
 * over the same database listening on the same port beside it, then the
 * first is killed (the kernel closes its tabs' sockets at once), and the
 * tabs come back to the second with the client's backoff.
 */
async function stormOnce(kind: StormKind, options: StormOptions, log: (line: string) => void): Promise<StormFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'statehouse-storm-'));
  const servers: RunningServer[] = [];
  const client = await startClient();
  try {
    const first = await ready(spawnServer(kind, { dir }), kind);
    servers.push(first);
    const cookies =
      kind === 'authed'
        ? (
            await first.worker.request<WorkerMessage & { cookies: string[] }>(
              { type: 'sessions', count: options.sessions, users: options.users },
              'sessions',
              600_000,
            )
          ).cookies
        : [];
    const job: StormJob = {
      kind: 'storm',
      port: first.port,
      serverPid: first.pid,
      cookies,
      tabs: options.tabs,
      probeEvery: options.probeEvery,
      timeoutMs: options.timeoutMs,
    };
    const opened = await client.request<WorkerMessage & { seconds: number }>({ type: 'job', job }, 'storm-open', 600_000);
    log(`  storm ${kind}: ${options.tabs} tabs subscribed in ${opened.seconds.toFixed(1)} s; restarting`);
    // The restarted server, over the same database, listens beside the old one (`reusePort`), as a
    // deploy does: the tabs' first attempts find it, and the time measured is the server's, not a gap.
    const second = await ready(spawnServer(kind, { dir, port: first.port }), kind);
    servers.push(second);
    // Past the session cache, as a server that ran a while: the new one reads every session afresh anyway.
    await Bun.sleep(1_500);
    // A crash, or a deploy that does not wait for its sockets: every tab drops at once.
    const serverBefore = readProcSample(second.pid);
    const clientBefore = readProcSample(client.pid);
    const overflowsBefore = tcpCounters().ListenOverflows ?? 0;
    await first.worker.kill();
    servers.shift();
    // Every tab back (or the job's timeout): what coming back cost each side, per tab, from the kill to
    // here (the probes' events included). Less noisy than the time to 99 %.
    await client.next('storm-back', options.timeoutMs + 30_000);
    const serverAfter = readProcSample(second.pid);
    const clientAfter = readProcSample(client.pid);
    const overflows = (tcpCounters().ListenOverflows ?? 0) - overflowsBefore;
    const { result: figures } = await client.next<WorkerMessage & { result: StormFigures }>('result', 30_000);
    const result: StormFigures = {
      ...figures,
      serverCpuUsPerTab: (serverAfter.cpuUs - serverBefore.cpuUs) / options.tabs,
      serverMainThreadCpuUsPerTab: (serverAfter.mainThreadCpuUs - serverBefore.mainThreadCpuUs) / options.tabs,
      clientCpuUsPerTab: (clientAfter.cpuUs - clientBefore.cpuUs) / options.tabs,
      listenOverflows: overflows,
    };
    log(
      `  storm ${kind}: 99 % back ${result.p99BackMs.toFixed(0)} ms after the first accept (all ${result.allBackMs.toFixed(0)} ms), ` +
        `down ${result.downMs.toFixed(0)} ms, probe p99 ${result.probeP99Ms.toFixed(1)} ms over ${result.probeEvents} events, ` +
        `lost ${result.lost}, signed out ${result.signedOut}, errors ${result.errors}, refused attempts ${result.refusedAttempts}, ` +
        `accept queue overflows ${result.listenOverflows}, ` +
        `CPU per tab: server ${result.serverCpuUsPerTab.toFixed(0)} µs (main thread ${result.serverMainThreadCpuUsPerTab.toFixed(0)}), client ${result.clientCpuUsPerTab.toFixed(0)} µs`,
    );
    return result;
  } finally {
    await client.stop();
    for (const server of servers) await stopBenchServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The reconnect storm against the ceiling and the authed server, `options.rounds` times each, alternating. */
export async function runReconnectStorm(options: StormOptions, log: (line: string) => void): Promise<StormSummary> {
  const rounds: Record<StormKind, StormFigures[]> = { ceiling: [], authed: [] };
  for (let round = 0; round < options.rounds; round++) {
    for (const kind of ['ceiling', 'authed'] as const) rounds[kind].push(await stormOnce(kind, options, log));
  }
  const sum = (key: 'lost' | 'signedOut' | 'errors') => rounds.authed.reduce((total, r) => total + r[key], 0);
  return {
    options,
    rounds,
    authedP99BackMs: median(rounds.authed.map((r) => r.p99BackMs)),
    ceilingP99BackMs: median(rounds.ceiling.map((r) => r.p99BackMs)),
    ratioToCeiling: median(rounds.authed.map((r, i) => ratio(r.p99BackMs, rounds.ceiling[i]?.p99BackMs ?? Number.NaN))),
    authedProbeP99Ms: median(rounds.authed.map((r) => r.probeP99Ms)),
    ceilingProbeP99Ms: median(rounds.ceiling.map((r) => r.probeP99Ms)),
    authedServerCpuUsPerTab: median(rounds.authed.map((r) => r.serverCpuUsPerTab)),
    ceilingServerCpuUsPerTab: median(rounds.ceiling.map((r) => r.serverCpuUsPerTab)),
    authedMainThreadCpuUsPerTab: median(rounds.authed.map((r) => r.serverMainThreadCpuUsPerTab)),
    authedRefusedAttempts: median(rounds.authed.map((r) => r.refusedAttempts)),
    ceilingRefusedAttempts: median(rounds.ceiling.map((r) => r.refusedAttempts)),
    authedListenOverflows: median(rounds.authed.map((r) => r.listenOverflows)),
    ceilingListenOverflows: median(rounds.ceiling.map((r) => r.listenOverflows)),
    lost: sum('lost'),
    signedOut: sum('signedOut'),
    errors: sum('errors'),
  };
}

const fixed = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');

/** The storm's lines in the table of other measures: `[measure, value, detail]`. */
export function stormRows(storm: StormSummary): string[][] {
  const { tabs, sessions } = storm.options;
  return [
    [
      'reconnect storm, authed',
      `${fixed(storm.authedP99BackMs, 0)} ms to 99 % back`,
      `${tabs} tabs over ${sessions} sessions, from the first accept; ${fixed(storm.ratioToCeiling, 2)} × ceiling; probe p99 ${fixed(storm.authedProbeP99Ms, 1)} ms; server CPU ${fixed(storm.authedServerCpuUsPerTab, 0)} µs per tab (${fixed(storm.authedMainThreadCpuUsPerTab, 0)} on its event loop); retried attempts ${fixed(storm.authedRefusedAttempts, 0)}, accept queue overflows ${fixed(storm.authedListenOverflows, 0)}; lost ${storm.lost}, signed out ${storm.signedOut}, errors ${storm.errors}`,
    ],
    [
      'reconnect storm, ceiling',
      `${fixed(storm.ceilingP99BackMs, 0)} ms to 99 % back`,
      `the same ${tabs} tabs and backoff against the raw socket; probe p99 ${fixed(storm.ceilingProbeP99Ms, 1)} ms; server CPU ${fixed(storm.ceilingServerCpuUsPerTab, 0)} µs per tab; retried attempts ${fixed(storm.ceilingRefusedAttempts, 0)}, accept queue overflows ${fixed(storm.ceilingListenOverflows, 0)}`,
    ],
  ];
}

/** The storm's targets: 99 % back within 2 s and 3 × the ceiling, no tab lost or signed out. */
export function stormTargets(storm: StormSummary): TargetCheck[] {
  const intact = storm.lost === 0 && storm.signedOut === 0;
  return [
    targetCheck(`reconnect storm to 99 % back (${storm.options.tabs} tabs)`, '≤ 2 s', storm.authedP99BackMs / 1000, 's', (s) => s <= 2),
    targetCheck('reconnect storm ÷ ceiling', '≤ 3.00', storm.ratioToCeiling, '×', (v) => v <= 3 && intact),
    targetCheck('reconnect storm tabs lost or signed out', '0', storm.lost + storm.signedOut, 'tabs', () => intact),
  ];
}
