import type { BenchOptions } from '../bench-options';
import type { IdleFigures, IdleJob } from '../clients/jobs';
import { collectGarbage, openFileLimit, startBenchServer, startClient, stopBenchServer, type RunningServer } from '../lib/bench-processes';
import { readProcSample } from '../lib/proc-stats';
import type { WorkerMessage, WorkerProcess } from '../lib/worker-process';
import type { ServerKind } from '../servers/bench-server';

/** Tabs opened and closed before the baseline, so first-use allocations are not counted. */
const WARM_TABS = 200;
/** File descriptors each process keeps for itself besides its sockets. */
const FD_HEADROOM = 1_000;

export interface IdleMemoryFigures {
  kind: ServerKind;
  connections: number;
  /** RSS growth per connection after a full collection. */
  rssBytesPerConnection: number;
  /** JS heap growth per connection after a full collection. */
  heapBytesPerConnection: number;
  /** JS heap capacity growth per connection: live objects plus the free space between them. */
  heapCapacityBytesPerConnection: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  /** Client processes the connections were spread over (open-file limit). */
  clientProcesses: number;
  openSeconds: number;
  /** Object types whose count grew most, per connection (where the heap goes). */
  topObjectTypesPerConnection: Record<string, number>;
}

async function settle(
  server: RunningServer,
  idleMs: number,
): Promise<{ rss: number; heap: number; capacity: number; types: Record<string, number> }> {
  await Bun.sleep(idleMs);
  const { heapSize, heapCapacity, objectTypes } = await collectGarbage(server);
  await Bun.sleep(300);
  await collectGarbage(server);
  return { rss: readProcSample(server.pid).rssBytes, heap: heapSize, capacity: heapCapacity, types: objectTypes };
}

/** Fake cookies shaped like real ones, so every server receives the same upgrade headers. */
function lookalikeCookies(count: number): string[] {
  return Array.from({ length: count }, () => `statehouse_session=${'x'.repeat(24)}.${'y'.repeat(32)}`);
}

/**
 * Memory per idle connection: a fresh server, warmed up, collected; then
 * `connections` tabs opened (socket, connection params, state subscription,
 * first push) and held idle for `idleMs`; collected again. RSS and heap
 * growth per connection.
 */
export async function measureIdleMemory(
  kind: ServerKind,
  options: NonNullable<BenchOptions['idle']>,
  log: (line: string) => void,
): Promise<IdleMemoryFigures> {
  const server = await startBenchServer(kind);
  const clients: WorkerProcess[] = [];
  try {
    const n = options.connections;
    const cookies =
      kind === 'authed'
        ? (
            await server.worker.request<WorkerMessage & { cookies: string[] }>(
              { type: 'sessions', count: n, users: Math.ceil(n / 10) },
              'sessions',
              600_000,
            )
          ).cookies
        : lookalikeCookies(n);
    const warm: IdleJob = {
      kind: 'idle',
      port: server.port,
      serverPid: server.pid,
      cookies,
      count: Math.min(WARM_TABS, n),
      concurrency: 50,
    };
    const warmClient = await startClient();
    await warmClient.request({ type: 'job', job: warm }, 'result');
    await warmClient.stop();
    const before = await settle(server, options.idleMs);

    const perProcess = Math.max(1, Math.min(n, openFileLimit() - FD_HEADROOM));
    const started = performance.now();
    const jobs: Promise<IdleFigures>[] = [];
    for (let offset = 0; offset < n; offset += perProcess) {
      const client = await startClient();
      clients.push(client);
      const job: IdleJob = {
        kind: 'idle',
        port: server.port,
        serverPid: server.pid,
        cookies: cookies.slice(offset, offset + perProcess),
        count: Math.min(perProcess, n - offset),
        concurrency: 200,
      };
      jobs.push(client.request<WorkerMessage & { result: IdleFigures }>({ type: 'job', job }, 'result', 600_000).then((r) => r.result));
    }
    const opened = (await Promise.all(jobs)).reduce((sum, r) => sum + r.opened, 0);
    const openSeconds = (performance.now() - started) / 1000;
    const after = await settle(server, options.idleMs);
    const grown: Record<string, number> = {};
    for (const [type, count] of Object.entries(after.types)) {
      const delta = (count - (before.types[type] ?? 0)) / opened;
      if (delta >= 0.5) grown[type] = Math.round(delta * 10) / 10;
    }
    const figures: IdleMemoryFigures = {
      kind,
      connections: opened,
      rssBytesPerConnection: (after.rss - before.rss) / opened,
      heapBytesPerConnection: (after.heap - before.heap) / opened,
      heapCapacityBytesPerConnection: (after.capacity - before.capacity) / opened,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      clientProcesses: clients.length,
      openSeconds,
      topObjectTypesPerConnection: Object.fromEntries(
        Object.entries(grown)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 15),
      ),
    };
    log(
      `  idle ${kind.padEnd(7)} ${opened} connections: ${(figures.rssBytesPerConnection / 1024).toFixed(2)} KB RSS, ` +
        `${(figures.heapBytesPerConnection / 1024).toFixed(2)} KB heap (${(figures.heapCapacityBytesPerConnection / 1024).toFixed(2)} KB capacity) per connection`,
    );
    return figures;
  } finally {
    for (const client of clients) await client.stop();
    await stopBenchServer(server);
  }
}

/** Idle memory for each requested server kind, one fresh server each. */
export async function runIdleMemory(options: NonNullable<BenchOptions['idle']>, log: (line: string) => void): Promise<IdleMemoryFigures[]> {
  const out: IdleMemoryFigures[] = [];
  for (const kind of options.kinds) out.push(await measureIdleMemory(kind, options, log));
  return out;
}
