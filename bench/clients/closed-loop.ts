import { BUMP_PATH, bumpFrame, replyId, replyKind } from '../lib/rpc-frames';
import { NumberLog } from '../lib/stats';
import { cookieFor, openBenchSocket, openInBatches } from './bench-socket';
import type { ClosedLoopJob, LoadFigures } from './jobs';
import { WindowMeter } from './window-meter';

/** Longest wait for the calls still in flight when the window closes. */
const DRAIN_TIMEOUT_MS = 10_000;

type Phase = 'warmup' | 'measure' | 'drain';

/**
 * The closed-loop shapes (1×64, 50×1, 50×8): each connection keeps
 * `inFlight` `bench.bump` calls outstanding and sends the next one as soon as
 * a reply arrives. Replies inside the window count; latency is reply time
 * minus send time of the same call.
 */
export async function runClosedLoop(job: ClosedLoopJob): Promise<LoadFigures> {
  const { connections, inFlight } = job;
  const path = job.path ?? BUMP_PATH;
  const meter = new WindowMeter(job.serverPid);
  const latencies = new NumberLog();
  let phase: Phase = 'warmup';
  let events = 0;
  let errors = 0;
  let outstanding = 0;
  let drained: (() => void) | null = null;
  let closeWindow: () => void = () => {};
  const windowClosed = new Promise<void>((resolve) => {
    closeWindow = resolve;
  });

  function endMeasure(): void {
    if (phase !== 'measure') return;
    phase = 'drain';
    closeWindow();
  }

  const sockets = await openInBatches(connections, 64, (index) => {
    const sentAt = new Float64Array(inFlight);
    const rounds = new Int32Array(inFlight);
    let ws: WebSocket | null = null;
    const send = (slot: number): void => {
      const id = rounds[slot]!++ * inFlight + slot + 1;
      sentAt[slot] = performance.now();
      outstanding++;
      ws!.send(bumpFrame(id, id, path));
    };
    const onFrame = (frame: string): void => {
      const now = performance.now();
      const id = replyId(frame);
      if (id <= 0) return;
      const slot = (id - 1) % inFlight;
      outstanding--;
      if (replyKind(frame) !== 'data') errors++;
      if (phase === 'measure') {
        latencies.push(now - sentAt[slot]!);
        events++;
        if (job.maxEvents !== null && events >= job.maxEvents) endMeasure();
      }
      if (phase !== 'drain') send(slot);
      else if (outstanding === 0) drained?.();
    };
    return openBenchSocket({ port: job.port, cookie: cookieFor(job.cookies, index) }, onFrame).then((socket) => {
      ws = socket;
      return {
        start: () => {
          for (let slot = 0; slot < inFlight; slot++) send(slot);
        },
      };
    });
  });
  for (const s of sockets) s.start();

  await Bun.sleep(job.warmupMs);
  meter.start();
  phase = 'measure';
  const timer = setTimeout(endMeasure, job.measureMs);
  await windowClosed;
  clearTimeout(timer);
  const totals = meter.stop();
  if (outstanding > 0) {
    await Promise.race([new Promise<void>((resolve) => (drained = resolve)), Bun.sleep(DRAIN_TIMEOUT_MS)]);
  }
  return WindowMeter.figures(events, latencies, errors, totals);
}
