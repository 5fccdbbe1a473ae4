import { Database } from 'bun:sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LoadFigures, LoginFigures, LoginJob, PacedJob } from '../clients/jobs';
import type { SessionWriteFigures, SessionWriteJob } from '../clients/session-writes';
import { runClientJob } from '../lib/bench-processes';
import { ratio } from '../lib/stats';
import { targetCheck, type TargetCheck } from '../lib/targets';
import { WorkerProcess, type WorkerMessage } from '../lib/worker-process';

const SERVER_MAIN = resolve(import.meta.dir, '../servers/shared-file-server.ts');
const WRITER_MAIN = resolve(import.meta.dir, '../clients/session-writes.ts');
const LOCK_HOLDER_MAIN = resolve(import.meta.dir, '../clients/lock-holder.ts');
/** The servers' session write: a key of its own per call, so a lost write can be counted. */
const REMEMBER_PATH = 'lockbench.remember';

/** Load of each process in the locked-database scenario. */
export interface LockedDatabaseOptions {
  /** The authed open-loop load: `connections` tabs, each `ratePerConnection` `bench.bump`/s. */
  connections: number;
  ratePerConnection: number;
  loginsPerSecond: number;
  loginUsers: number;
  sessionWritesPerSecond: number;
  /** How long the other process holds its write transaction. */
  holdMs: number;
  warmupMs: number;
  measureMs: number;
}

/** The session writes of one process, checked against the database afterwards. */
export interface WriteOutcome {
  attempted: number;
  acknowledged: number;
  refused: number;
  otherErrors: number;
  /** Acknowledged, yet not in the database. */
  lost: number;
  /** Refused with the retriable error, yet in the database. */
  appliedAfterRefusal: number;
  p99Ms: number;
  maxMs: number;
}

export interface ProcessRun {
  load: LoadFigures;
  logins: LoginFigures | null;
  writes: WriteOutcome;
  /** The longest delay of the process's 1 ms probe timer during the window. */
  maxStallMs: number;
  /** The same, less the time its thread waited for a core (other work on the machine). */
  maxStallOffRunQueueMs: number;
  stallsOver20Ms: number;
}

export interface LockedDatabaseSummary {
  options: LockedDatabaseOptions;
  /** One process under load while another holds `BEGIN IMMEDIATE` for `holdMs`. */
  lockHeld: ProcessRun & { heldMs: number };
  /** One process alone with the load, logins and session writes. */
  alone: ProcessRun;
  /** Three processes on the same file, each with the same load. */
  three: ProcessRun[];
  /** Each of the three's p99 ÷ the one process's alone. */
  p99Ratios: number[];
  worstP99Ratio: number;
  maxStallMsThree: number;
  lostWrites: number;
}

interface SharedServer {
  worker: WorkerProcess;
  pid: number;
  port: number;
}

async function startServer(file: string): Promise<SharedServer> {
  const worker = WorkerProcess.spawn(SERVER_MAIN, [file], { NODE_ENV: 'production' });
  const ready = await worker.next<WorkerMessage & { port: number; pid: number }>('ready');
  return { worker, pid: ready.pid, port: ready.port };
}

async function stopServer(server: SharedServer): Promise<void> {
  try {
    await server.worker.request({ type: 'stop' }, 'stopped', 5_000);
  } catch {
    // Already gone or stuck: the signal ends it.
  }
  await server.worker.stop();
}

async function sessionWrites(job: SessionWriteJob): Promise<SessionWriteFigures> {
  const worker = WorkerProcess.spawn(WRITER_MAIN);
  try {
    await worker.next('ready');
    return (await worker.request<WorkerMessage & { result: SessionWriteFigures }>({ type: 'job', job }, 'result')).result;
  } finally {
    await worker.stop();
  }
}

/** Acknowledged writes missing from the file, refused ones found in it. */
function checkWrites(file: string, figures: SessionWriteFigures): WriteOutcome {
  const db = new Database(file, { readonly: true });
  try {
    const present = new Set(
      db
        .query<{ key: string }, [string]>('SELECT key FROM session_data WHERE key LIKE ?')
        .all(`${figures.acknowledged[0]?.split('-')[0] ?? figures.refused[0]?.split('-')[0] ?? 'none'}-%`)
        .map((row) => row.key),
    );
    return {
      attempted: figures.attempted,
      acknowledged: figures.acknowledged.length,
      refused: figures.refused.length,
      otherErrors: figures.otherErrors,
      lost: figures.acknowledged.filter((key) => !present.has(key)).length,
      appliedAfterRefusal: figures.refused.filter((key) => present.has(key)).length,
      p99Ms: figures.p99Ms,
      maxMs: figures.maxMs,
    };
  } finally {
    db.close();
  }
}

/**
 * One process's load for one window: the paced authed load, session writes
 * and (if asked) logins, all started together; the stall probe is reset when
 * the measured window opens.
 */
async function loadOne(
  server: SharedServer,
  file: string,
  prefix: string,
  options: LockedDatabaseOptions,
  shared: { cookies: string[]; credentials: LoginJob['credentials'] },
  withLogins: boolean,
  duringWindow: () => Promise<void> = async () => {},
): Promise<ProcessRun> {
  const total = options.warmupMs + options.measureMs;
  const paced: PacedJob = {
    kind: 'paced',
    port: server.port,
    serverPid: server.pid,
    cookies: shared.cookies,
    connections: options.connections,
    ratePerConnection: options.ratePerConnection,
    warmupMs: options.warmupMs,
    measureMs: options.measureMs,
  };
  const logins: LoginJob = {
    kind: 'logins',
    port: server.port,
    serverPid: server.pid,
    cookies: [],
    credentials: shared.credentials,
    ratePerSecond: options.loginsPerSecond,
    durationMs: total,
  };
  const writes = sessionWrites({
    port: server.port,
    cookies: shared.cookies,
    tabs: 4,
    ratePerSecond: options.sessionWritesPerSecond,
    durationMs: total,
    prefix,
    path: REMEMBER_PATH,
  });
  const loginRun = withLogins ? runClientJob<LoginFigures>(logins) : Promise.resolve(null);
  const load = runClientJob<LoadFigures>(paced);
  const window = (async () => {
    await Bun.sleep(options.warmupMs);
    await server.worker.request({ type: 'probe-reset' }, 'probe-reset');
    await duringWindow();
  })();
  const [loadFigures, loginFigures, writeFigures] = await Promise.all([load, loginRun, writes, window]);
  const probe = await server.worker.request<WorkerMessage & { maxStallMs: number; maxStallOffRunQueueMs: number; stallsOver20Ms: number }>(
    { type: 'probe' },
    'probe',
  );
  return {
    load: loadFigures,
    logins: loginFigures,
    writes: checkWrites(file, writeFigures),
    maxStallMs: probe.maxStallMs,
    maxStallOffRunQueueMs: probe.maxStallOffRunQueueMs,
    stallsOver20Ms: probe.stallsOver20Ms,
  };
}

/** Another process takes the write lock a little into the window and holds it for `holdMs`. */
async function holdLock(file: string, options: LockedDatabaseOptions): Promise<number> {
  await Bun.sleep(Math.max(0, (options.measureMs - options.holdMs) / 2));
  const holder = WorkerProcess.spawn(LOCK_HOLDER_MAIN, [file, String(options.holdMs)]);
  try {
    await holder.next('locked');
    return (await holder.next<WorkerMessage & { heldMs: number }>('released', options.holdMs + 30_000)).heldMs;
  } finally {
    await holder.stop();
  }
}

/**
 * A database file shared by several processes, and a long write transaction
 * in another process: the authed load's p99, the longest event-loop stall of
 * each server, and every acknowledged session write looked up in the file.
 */
export async function runLockedDatabase(options: LockedDatabaseOptions, log: (line: string) => void): Promise<LockedDatabaseSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'statehouse-locked-'));
  const file = join(dir, 'shared.db');
  const servers: SharedServer[] = [];
  try {
    const first = await startServer(file);
    servers.push(first);
    const shared = await first.worker.request<WorkerMessage & { cookies: string[]; credentials: LoginJob['credentials'] }>(
      { type: 'setup', logins: options.loginUsers },
      'setup',
      60_000,
    );

    let heldMs = 0;
    const lockHeld = await loadOne(first, file, 'held', options, shared, false, async () => {
      heldMs = await holdLock(file, options);
    });
    log(
      `  lock held ${heldMs.toFixed(0)} ms by another process: p99 ${lockHeld.load.p99Ms.toFixed(2)} ms, ` +
        `longest stall ${lockHeld.maxStallMs.toFixed(1)} ms, writes ${lockHeld.writes.acknowledged}/${lockHeld.writes.attempted} ` +
        `acknowledged (${lockHeld.writes.refused} refused, ${lockHeld.writes.lost} lost, longest ${lockHeld.writes.maxMs.toFixed(0)} ms)`,
    );

    const alone = await loadOne(first, file, 'alone', options, shared, true);
    log(`  one process: p99 ${alone.load.p99Ms.toFixed(2)} ms, longest stall ${alone.maxStallMs.toFixed(1)} ms`);

    servers.push(await startServer(file), await startServer(file));
    const three = await Promise.all(servers.map((server, i) => loadOne(server, file, `three${i}`, options, shared, true)));
    const p99Ratios = three.map((run) => ratio(run.load.p99Ms, alone.load.p99Ms));
    log(
      `  three processes: p99 ${three.map((r) => r.load.p99Ms.toFixed(2)).join(' / ')} ms ` +
        `(${p99Ratios.map((r) => r.toFixed(2)).join(' / ')} × alone), longest stall ${Math.max(...three.map((r) => r.maxStallMs)).toFixed(1)} ms`,
    );
    const runs = [lockHeld, alone, ...three];
    return {
      options,
      lockHeld: { ...lockHeld, heldMs },
      alone,
      three,
      p99Ratios,
      worstP99Ratio: Math.max(...p99Ratios),
      maxStallMsThree: Math.max(...three.map((r) => r.maxStallMs)),
      lostWrites: runs.reduce((sum, r) => sum + r.writes.lost + r.writes.appliedAfterRefusal, 0),
    };
  } finally {
    for (const server of servers) await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The scenario's targets. */
export function lockedDatabaseTargets(summary: LockedDatabaseSummary): TargetCheck[] {
  return [
    targetCheck('p99, three writing processes ÷ one', '≤ 2.00', summary.worstP99Ratio, '×', (v) => v <= 2),
    targetCheck('event-loop stall, lock held elsewhere', '≤ 20 ms', summary.lockHeld.maxStallMs, 'ms', (v) => v <= 20),
    targetCheck('lost or half-applied writes', '= 0', summary.lostWrites, '', (v) => v === 0),
  ];
}

/** The scenario's lines under the bench's table. */
export function formatLockedDatabase(summary: LockedDatabaseSummary): string {
  const o = summary.options;
  const run = (name: string, r: ProcessRun) =>
    `${name.padEnd(22)} p99 ${r.load.p99Ms.toFixed(2).padStart(8)} ms  stall ${r.maxStallMs.toFixed(1).padStart(7)} ms ` +
    `(${r.maxStallOffRunQueueMs.toFixed(1).padStart(6)} ms not waiting for a core)  ` +
    `writes ${r.writes.acknowledged}/${r.writes.attempted} ok, ${r.writes.refused} refused, ${r.writes.lost} lost, ` +
    `longest ${r.writes.maxMs.toFixed(0)} ms${r.logins ? `  logins ${r.logins.ok}/${r.logins.attempted}` : ''}`;
  return [
    `locked database: ${o.connections} tabs × ${o.ratePerConnection}/s each, ${o.sessionWritesPerSecond} session writes/s, ` +
      `${o.loginsPerSecond} logins/s (not while the lock is held)`,
    run(`lock held ${(summary.lockHeld.heldMs / 1000).toFixed(1)} s`, summary.lockHeld),
    run('one process', summary.alone),
    ...summary.three.map((r, i) => run(`three processes, #${i + 1}`, r)),
  ].join('\n');
}
