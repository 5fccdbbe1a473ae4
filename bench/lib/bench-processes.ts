import { resolve } from 'node:path';
import type { LoadJob } from '../clients/jobs';
import type { AnyServerKind } from '../servers/bench-server';
import { WorkerProcess, type WorkerMessage } from './worker-process';

const SERVER_MAIN = resolve(import.meta.dir, '../servers/server-main.ts');
const CLIENT_MAIN = resolve(import.meta.dir, '../clients/client-main.ts');

/** Servers run as in production (tRPC without dev stack traces). */
const SERVER_ENV = { NODE_ENV: 'production' };

/** A bench server process and what it said when ready. */
export interface RunningServer {
  kind: AnyServerKind;
  worker: WorkerProcess;
  pid: number;
  port: number;
  /** Session cookies of the load user (authed server only). */
  cookies: string[];
}

/** Starts a server process and waits until it listens. */
export async function startBenchServer(kind: AnyServerKind): Promise<RunningServer> {
  const worker = WorkerProcess.spawn(SERVER_MAIN, [kind], SERVER_ENV);
  const ready = await worker.next<WorkerMessage & { port: number; cookies: string[] }>('ready');
  return { kind, worker, pid: worker.pid, port: ready.port, cookies: ready.cookies };
}

/** Stops a server process (asks first, then signals). */
export async function stopBenchServer(server: RunningServer): Promise<void> {
  try {
    server.worker.send({ type: 'stop' });
    await server.worker.next('stopped', 5_000);
  } catch {
    // Already gone or stuck: the signal below ends it.
  }
  await server.worker.stop();
}

/** Starts a load client process and waits until it is ready for a job. */
export async function startClient(): Promise<WorkerProcess> {
  const worker = WorkerProcess.spawn(CLIENT_MAIN);
  await worker.next('ready');
  return worker;
}

/** Runs one job in a fresh client process; the process ends after answering. */
export async function runClientJob<T>(job: LoadJob, timeoutMs = 300_000): Promise<T> {
  const client = await startClient();
  try {
    const { result } = await client.request<WorkerMessage & { result: T }>({ type: 'job', job }, 'result', timeoutMs);
    return result;
  } finally {
    await client.stop();
  }
}

/** Asks a server for a full garbage collection; answers its JS heap size (live) and capacity (what the heap holds from the system). */
export async function collectGarbage(
  server: RunningServer,
): Promise<{ heapSize: number; heapCapacity: number; objectTypes: Record<string, number> }> {
  const reply = await server.worker.request<
    WorkerMessage & { heapSize: number; heapCapacity: number; objectTypes: Record<string, number> }
  >({ type: 'gc' }, 'gc');
  return { heapSize: reply.heapSize, heapCapacity: reply.heapCapacity, objectTypes: reply.objectTypes };
}

/** The soft limit on open files of processes started from here (`ulimit -n`). */
export function openFileLimit(): number {
  const out = Bun.spawnSync(['sh', '-c', 'ulimit -n']).stdout.toString().trim();
  return out === 'unlimited' ? Number.POSITIVE_INFINITY : Number.parseInt(out, 10) || 1024;
}
