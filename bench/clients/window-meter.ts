import { readProcSample, type ProcSample } from '../lib/proc-stats';
import { latencyQuantiles, type NumberLog } from '../lib/stats';
import type { LoadFigures } from './jobs';

/** CPU and time at the two edges of a measurement window. */
export interface WindowTotals {
  seconds: number;
  serverCpuUs: number;
  serverMainCpuUs: number;
  serverRssBytes: number;
  clientCpuPct: number;
}

/**
 * Samples the server's `/proc` entries and this process's CPU at the start
 * and at the end of a measurement window.
 */
export class WindowMeter {
  private server: ProcSample | null = null;
  private client: NodeJS.CpuUsage | null = null;
  private totals: WindowTotals | null = null;

  constructor(private readonly serverPid: number) {}

  start(): void {
    this.client = process.cpuUsage();
    this.server = readProcSample(this.serverPid);
  }

  stop(): WindowTotals {
    const end = readProcSample(this.serverPid);
    const client = process.cpuUsage(this.client ?? undefined);
    const start = this.server ?? end;
    const seconds = (end.at - start.at) / 1000;
    this.totals = {
      seconds,
      serverCpuUs: end.cpuUs - start.cpuUs,
      serverMainCpuUs: end.mainThreadCpuUs - start.mainThreadCpuUs,
      serverRssBytes: end.rssBytes,
      clientCpuPct: seconds > 0 ? ((client.user + client.system) / 1e6 / seconds) * 100 : Number.NaN,
    };
    return this.totals;
  }

  /** The load's figures: `events` replies in the window, their latencies, errors, and the window's totals. */
  static figures(events: number, latencies: NumberLog, errors: number, totals: WindowTotals): LoadFigures {
    const { p50, p99 } = latencyQuantiles(latencies.values());
    return {
      events,
      seconds: totals.seconds,
      eventsPerSecond: events / totals.seconds,
      p50Ms: p50,
      p99Ms: p99,
      errors,
      serverCpuUsPerEvent: totals.serverCpuUs / events,
      serverMainCpuUsPerEvent: totals.serverMainCpuUs / events,
      serverRssBytes: totals.serverRssBytes,
      clientCpuPct: totals.clientCpuPct,
    };
  }

  get started(): boolean {
    return this.server !== null;
  }
}
