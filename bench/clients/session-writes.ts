/**
 * A session-write load: `bun bench/clients/session-writes.ts`, one job over
 * IPC. Calls `lockbench.remember` at a fixed rate from a few signed-in tabs,
 * every call a key of its own (`<prefix>-<n>`), and answers which keys were
 * acknowledged and which were refused, so the bench can look for each of
 * them in the database afterwards.
 */
import { callFrame, replyId, replyKind } from '../lib/rpc-frames';
import { latencyQuantiles, NumberLog } from '../lib/stats';
import { onBenchMessage, reply } from '../lib/worker-process';
import { cookieFor, openBenchSocket } from './bench-socket';

export interface SessionWriteJob {
  port: number;
  cookies: string[];
  /** Tabs the writes are spread over. */
  tabs: number;
  ratePerSecond: number;
  durationMs: number;
  prefix: string;
  path: string;
}

export interface SessionWriteFigures {
  attempted: number;
  /** Keys whose write was acknowledged. */
  acknowledged: string[];
  /** Keys answered with the typed retriable error (`SERVICE_UNAVAILABLE`). */
  refused: string[];
  /** Any other answer, or none within the wait. */
  otherErrors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function run(job: SessionWriteJob): Promise<SessionWriteFigures> {
  const latencies = new NumberLog(1024);
  const pending = new Map<number, { key: string; at: number }>();
  const acknowledged: string[] = [];
  const refused: string[] = [];
  let otherErrors = 0;
  let maxMs = 0;
  const sockets = await Promise.all(
    Array.from({ length: job.tabs }, (_, index) =>
      openBenchSocket({ port: job.port, cookie: cookieFor(job.cookies, index) }, (frame) => {
        const id = replyId(frame);
        const call = pending.get(id);
        if (!call) return;
        pending.delete(id);
        const ms = performance.now() - call.at;
        latencies.push(ms);
        maxMs = Math.max(maxMs, ms);
        if (replyKind(frame) === 'data') acknowledged.push(call.key);
        else if (frame.includes('"SERVICE_UNAVAILABLE"')) refused.push(call.key);
        else otherErrors++;
      }),
    ),
  );
  let serial = 0;
  const timer = setInterval(() => {
    const id = ++serial;
    const key = `${job.prefix}-${id}`;
    pending.set(id, { key, at: performance.now() });
    sockets[id % sockets.length]!.send(callFrame(id, 'mutation', job.path, { key, value: String(id) }));
  }, 1000 / job.ratePerSecond);
  await Bun.sleep(job.durationMs);
  clearInterval(timer);
  // Every write gets its answer: a wait on a lock ends within its bound.
  const deadline = performance.now() + 15_000;
  while (pending.size > 0 && performance.now() < deadline) await Bun.sleep(5);
  otherErrors += pending.size;
  for (const ws of sockets) ws.close();
  const { p50, p99 } = latencyQuantiles(latencies.values());
  return { attempted: serial, acknowledged, refused, otherErrors, p50Ms: p50, p99Ms: p99, maxMs };
}

if (import.meta.main) {
  onBenchMessage(async (message) => {
    if (message.type !== 'job') return;
    reply({ type: 'result', result: await run(message.job as SessionWriteJob) });
    setTimeout(() => process.exit(0), 50);
  });
  reply({ type: 'ready', pid: process.pid });
}
