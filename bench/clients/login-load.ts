import { callFrame, LOGIN_PATH, replyId, replyKind } from '../lib/rpc-frames';
import { latencyQuantiles, NumberLog } from '../lib/stats';
import { openBenchSocket } from './bench-socket';
import type { LoginFigures, LoginJob } from './jobs';
import { WindowMeter } from './window-meter';

/** A login tab: one login at a time. */
interface LoginTab {
  ws: WebSocket;
  busy: boolean;
  nextId: number;
  sentAt: number;
}

/**
 * Logs in through `auth.login` at `ratePerSecond` (each login verifies an
 * argon2id hash on the server), from anonymous tabs: a tab with a login still
 * pending is skipped and a new one opened, so the rate holds.
 */
export async function runLogins(job: LoginJob): Promise<LoginFigures> {
  const meter = new WindowMeter(job.serverPid);
  const latencies = new NumberLog(1024);
  const tabs: LoginTab[] = [];
  let attempted = 0;
  let ok = 0;
  let failed = 0;
  let pending = 0;

  async function openTab(): Promise<LoginTab> {
    const tab: LoginTab = { ws: null as unknown as WebSocket, busy: false, nextId: 1, sentAt: 0 };
    tab.ws = await openBenchSocket({ port: job.port, cookie: null }, (frame) => {
      if (replyId(frame) !== tab.nextId - 1 || !tab.busy) return;
      latencies.push(performance.now() - tab.sentAt);
      if (replyKind(frame) === 'data') ok++;
      else failed++;
      tab.busy = false;
      pending--;
    });
    tabs.push(tab);
    return tab;
  }

  for (let i = 0; i < 4; i++) await openTab();
  let serial = 0;
  async function fire(): Promise<void> {
    const tab = tabs.find((t) => !t.busy) ?? (await openTab());
    const credentials = job.credentials[serial++ % job.credentials.length]!;
    tab.busy = true;
    pending++;
    attempted++;
    tab.sentAt = performance.now();
    tab.ws.send(callFrame(tab.nextId++, 'mutation', LOGIN_PATH, credentials));
  }

  const intervalMs = 1000 / job.ratePerSecond;
  meter.start();
  const started = performance.now();
  const timer = setInterval(() => void fire(), intervalMs);
  await Bun.sleep(job.durationMs);
  clearInterval(timer);
  const deadline = performance.now() + 10_000;
  while (pending > 0 && performance.now() < deadline) await Bun.sleep(5);
  const totals = meter.stop();
  const { p50, p99 } = latencyQuantiles(latencies.values());
  for (const tab of tabs) tab.ws.close();
  return {
    attempted,
    ok,
    failed,
    p50Ms: p50,
    p99Ms: p99,
    seconds: (performance.now() - started) / 1000,
    serverCpuMsPerLogin: totals.serverCpuUs / 1000 / Math.max(1, attempted),
    serverMainCpuMsPerLogin: totals.serverMainCpuUs / 1000 / Math.max(1, attempted),
  };
}
