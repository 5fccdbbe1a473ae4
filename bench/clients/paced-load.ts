import { bumpFrame, replyId, replyKind } from '../lib/rpc-frames';
import { NumberLog } from '../lib/stats';
import { cookieFor, openBenchSocket, openInBatches } from './bench-socket';
import type { LoadFigures, PacedJob } from './jobs';
import { WindowMeter } from './window-meter';

/**
 * Open-loop load: each connection sends `bench.bump` every
 * `1000 / ratePerConnection` ms, whether or not earlier calls were answered,
 * the way interactive tabs behave. A stalled event loop shows in the tail.
 */
export async function runPaced(job: PacedJob): Promise<LoadFigures> {
  const meter = new WindowMeter(job.serverPid);
  const latencies = new NumberLog();
  let measuring = false;
  let events = 0;
  let errors = 0;
  const intervalMs = 1000 / job.ratePerConnection;

  const lanes = await openInBatches(job.connections, 64, async (index) => {
    const sentAt = new Map<number, number>();
    let nextId = 1;
    const ws = await openBenchSocket({ port: job.port, cookie: cookieFor(job.cookies, index) }, (frame) => {
      const now = performance.now();
      const id = replyId(frame);
      const at = sentAt.get(id);
      if (at === undefined) return;
      sentAt.delete(id);
      if (replyKind(frame) !== 'data') errors++;
      if (measuring) {
        latencies.push(now - at);
        events++;
      }
    });
    return {
      tick(): void {
        const id = nextId++;
        sentAt.set(id, performance.now());
        ws.send(bumpFrame(id, id));
      },
    };
  });

  // Spread the connections over one interval, so the load is smooth.
  const timers = lanes.map((lane, index) => {
    let interval: ReturnType<typeof setInterval> | null = null;
    const offset = setTimeout(
      () => {
        lane.tick();
        interval = setInterval(() => lane.tick(), intervalMs);
      },
      (index * intervalMs) / lanes.length,
    );
    return () => {
      clearTimeout(offset);
      if (interval) clearInterval(interval);
    };
  });

  await Bun.sleep(job.warmupMs);
  meter.start();
  measuring = true;
  await Bun.sleep(job.measureMs);
  measuring = false;
  const totals = meter.stop();
  for (const stop of timers) stop();
  return WindowMeter.figures(events, latencies, errors, totals);
}
