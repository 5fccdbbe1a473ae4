import { readFileSync } from 'node:fs';

/** CPU time and memory of one process, as Linux reports them in `/proc`. */
export interface ProcSample {
  /** `utime + stime` of the whole process (every thread), in microseconds. */
  cpuUs: number;
  /** `utime + stime` of the main thread only (the event loop), in microseconds. */
  mainThreadCpuUs: number;
  /** Resident set size (`VmRSS`), in bytes. */
  rssBytes: number;
  /** When the sample was taken (`performance.now()` of the reader). */
  at: number;
}

let ticksPerSecond: number | null = null;

/** The kernel's clock tick (`getconf CLK_TCK`, 100 on nearly every Linux). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === null) {
    const out = Bun.spawnSync(['getconf', 'CLK_TCK']).stdout.toString().trim();
    const parsed = Number.parseInt(out, 10);
    ticksPerSecond = Number.isFinite(parsed) && parsed > 0 ? parsed : 100;
  }
  return ticksPerSecond;
}

/**
 * `utime + stime` in clock ticks from a `stat` file. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted after its last `)`.
 */
function statTicks(text: string): number {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, so utime (14) and stime (15) sit at 11 and 12.
  return Number(fields[11]) + Number(fields[12]);
}

/** `VmRSS` from a `status` file, in bytes. */
function statusRss(text: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * Reads a process's CPU time (whole process and main thread) and RSS.
 *
 * @example
 * const before = readProcSample(server.pid);
 * // ... load ...
 * const after = readProcSample(server.pid);
 * const cpuUsPerEvent = (after.cpuUs - before.cpuUs) / events;
 */
export function readProcSample(pid: number): ProcSample {
  const usPerTick = 1e6 / clockTicksPerSecond();
  const at = performance.now();
  const cpuUs = statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * usPerTick;
  const mainThreadCpuUs = statTicks(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')) * usPerTick;
  const rssBytes = statusRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuUs, mainThreadCpuUs, rssBytes, at };
}

/**
 * The kernel's TCP counters (`TcpExt` of `/proc/net/netstat`, this network
 * namespace): `ListenOverflows` counts connections dropped because a listening
 * socket's accept queue was full (Bun listens with a backlog of 512).
 *
 * @example
 * const before = tcpCounters();
 * // ... a burst of connects ...
 * const overflows = tcpCounters().ListenOverflows - before.ListenOverflows;
 */
export function tcpCounters(): Record<string, number> {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const header = lines.findIndex((line) => line.startsWith('TcpExt:'));
  const names = lines[header]?.split(' ').slice(1) ?? [];
  const values = lines[header + 1]?.split(' ').slice(1) ?? [];
  return Object.fromEntries(names.map((name, i) => [name, Number(values[i])]));
}
