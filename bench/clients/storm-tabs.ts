import { backoffWithJitter } from '../../client/state/backoff';
import { bumpFrame, replyId, replyKind, STATE_PATH, subscriptionFrame } from '../lib/rpc-frames';
import { latencyQuantiles, quantileSorted } from '../lib/stats';
import { reply } from '../lib/worker-process';
import { cookieFor, openBenchSocket, openInBatches } from './bench-socket';
import { STATE_SUBSCRIPTION_ID } from './idle-connections';
import type { StormFigures, StormJob } from './jobs';

/** How often a tab that is back sends an event, when it is one of the probes. */
const PROBE_INTERVAL_MS = 100;

/**
 * One tab of the storm: a subscribed socket that, once dropped, comes back
 * the way the state client does: the client's own `backoffWithJitter()`
 * before each attempt (attempt 0 first), the connection params, the state
 * subscription, and back when its first push arrives.
 */
class StormTab {
  ws: WebSocket | null = null;
  attempt = 0;
  reconnecting = false;
  /** When its first push after the drop arrived (ms on this process's clock). */
  backAt = Number.NaN;
  signedOut = false;
  private probeTimer: ReturnType<typeof setInterval> | null = null;
  private nextId = STATE_SUBSCRIPTION_ID + 1;
  private readonly sentAt = new Map<number, number>();

  constructor(
    readonly storm: Storm,
    readonly cookie: string | null,
    readonly probe: boolean,
  ) {}

  /** The socket's frames: the subscription's pushes, the probe's replies. */
  onFrame(frame: string, settle: (ok: boolean) => void): void {
    const id = replyId(frame);
    if (id === STATE_SUBSCRIPTION_ID) {
      const kind = replyKind(frame);
      if (kind === 'error') {
        this.storm.errors++;
        settle(false);
      }
      if (kind !== 'data') return;
      // Re-authenticated: the first push's auth snapshot is signed in (the ceiling has none to check).
      this.signedOut = this.storm.expectAuth && !frame.includes('"isAuthenticated":true');
      settle(true);
      return;
    }
    const sent = this.sentAt.get(id);
    if (sent === undefined) return;
    this.sentAt.delete(id);
    if (replyKind(frame) === 'data') this.storm.recordProbe(performance.now() - sent);
    else this.storm.errors++;
  }

  /** Starts sending events (a probe tab that is back). */
  startProbe(): void {
    if (!this.probe || this.probeTimer !== null) return;
    this.probeTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      const id = this.nextId++;
      this.sentAt.set(id, performance.now());
      ws.send(bumpFrame(id, id));
    }, PROBE_INTERVAL_MS);
  }

  stopProbe(): void {
    if (this.probeTimer !== null) clearInterval(this.probeTimer);
    this.probeTimer = null;
    this.sentAt.clear();
  }
}

/** Every tab of the storm and what they measured. */
class Storm {
  readonly tabs: StormTab[] = [];
  readonly expectAuth: boolean;
  /** When the first tab's socket opened again after the drop. */
  firstAcceptAt = Number.NaN;
  dropped = false;
  droppedAt = Number.NaN;
  errors = 0;
  refused = 0;
  back = 0;
  private readonly probeLatencies: number[] = [];
  private readonly retryDelayMs = backoffWithJitter();
  private allBack: () => void = () => {};
  readonly done = new Promise<void>((resolve) => {
    this.allBack = resolve;
  });

  constructor(readonly job: StormJob) {
    this.expectAuth = job.cookies.length > 0;
  }

  recordProbe(ms: number): void {
    if (this.dropped && Number.isFinite(this.firstAcceptAt)) this.probeLatencies.push(ms);
  }

  /** Opens a tab's socket, subscribes; resolves `true` on its first push, `false` when the socket failed first. */
  open(tab: StormTab): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        resolve(ok);
      };
      openBenchSocket({ port: this.job.port, cookie: tab.cookie }, (frame) => tab.onFrame(frame, settle), 10_000).then(
        (ws) => {
          if (this.dropped && Number.isNaN(this.firstAcceptAt)) this.firstAcceptAt = performance.now();
          tab.ws = ws;
          ws.onclose = () => this.lost(tab, settle);
          ws.send(subscriptionFrame(STATE_SUBSCRIPTION_ID, STATE_PATH));
        },
        () => {
          this.refused++;
          settle(false);
        },
      );
    });
  }

  /** A tab's socket closed: before its first push it failed this attempt; after it, the server went away. */
  private lost(tab: StormTab, settle: (ok: boolean) => void): void {
    tab.ws = null;
    tab.stopProbe();
    settle(false);
    if (!this.dropped) {
      this.dropped = true;
      this.droppedAt = performance.now();
    }
    if (!tab.reconnecting) void this.comeBack(tab);
  }

  /** The client's reconnect loop: wait the backoff of this attempt, try, again until back. */
  private async comeBack(tab: StormTab): Promise<void> {
    tab.reconnecting = true;
    tab.backAt = Number.NaN;
    for (;;) {
      await Bun.sleep(this.retryDelayMs(tab.attempt));
      const ok = await this.open(tab);
      if (ok) {
        tab.backAt = performance.now();
        tab.attempt = 0;
        tab.reconnecting = false;
        tab.startProbe();
        if (++this.back === this.tabs.length) this.allBack();
        return;
      }
      tab.attempt++;
    }
  }

  figures(openSeconds: number): StormFigures {
    const t0 = this.firstAcceptAt;
    const backTimes = this.tabs
      .filter((t) => Number.isFinite(t.backAt))
      .map((t) => t.backAt - t0)
      .sort((a, b) => a - b);
    const n = this.tabs.length;
    const at = (share: number) => (backTimes.length >= Math.ceil(share * n) ? backTimes[Math.ceil(share * n) - 1]! : Number.NaN);
    const latencies = Float64Array.from(this.probeLatencies);
    const { p50, p99 } = latencyQuantiles(latencies);
    return {
      tabs: n,
      back: backTimes.length,
      lost: n - backTimes.length,
      signedOut: this.tabs.filter((t) => t.signedOut).length,
      downMs: t0 - this.droppedAt,
      p50BackMs: quantileSorted(backTimes, 0.5),
      p99BackMs: at(0.99),
      allBackMs: at(1),
      probeEvents: latencies.length,
      probeP50Ms: p50,
      probeP99Ms: p99,
      refusedAttempts: this.refused,
      errors: this.errors,
      openSeconds,
      // Read from /proc by the bench, which sees both processes.
      serverCpuUsPerTab: Number.NaN,
      serverMainThreadCpuUsPerTab: Number.NaN,
      clientCpuUsPerTab: Number.NaN,
      listenOverflows: Number.NaN,
    };
  }
}

/**
 * The reconnect storm, client side: opens `job.tabs` subscribed tabs, says
 * `storm-open`, and once the bench restarts the server, every tab comes back
 * with the client's real backoff. Every `job.probeEvery`-th tab, once back,
 * sends an event every 100 ms: their latency while the others still
 * reconnect. Answers when all are back or after `job.timeoutMs`.
 */
export async function runStorm(job: StormJob): Promise<StormFigures> {
  const storm = new Storm(job);
  const started = performance.now();
  for (let i = 0; i < job.tabs; i++) storm.tabs.push(new StormTab(storm, cookieFor(job.cookies, i), i % job.probeEvery === 0));
  await openInBatches(job.tabs, 100, async (i) => {
    if (!(await storm.open(storm.tabs[i]!))) throw new Error(`tab ${i} did not subscribe`);
  });
  const openSeconds = (performance.now() - started) / 1000;
  reply({ type: 'storm-open', seconds: openSeconds });
  await Promise.race([storm.done, Bun.sleep(job.timeoutMs)]);
  // The bench reads both processes' CPU now: the storm, not the probes' tail or the closing of the tabs.
  reply({ type: 'storm-back' });
  // The probes' last events during the storm.
  await Bun.sleep(200);
  const figures = storm.figures(openSeconds);
  for (const tab of storm.tabs) {
    tab.stopProbe();
    tab.ws?.close();
  }
  return figures;
}
