/**
 * How late the authed server's event loop runs a 1 ms timer, less the time
 * its thread waited for a core (`/proc/thread-self/schedstat`), first with
 * no load and then while a client process logs in at a fixed rate: how long
 * the login path holds the loop in one go, on a machine whose load moves.
 * The server and the probe share this process; the logins come from a load
 * client process, as in `bun run bench --only logins`. Linux only.
 *
 *   bun bench/login-lateness.ts [logins per second = 20] [window ms = 6000]
 */
import { readFileSync } from 'node:fs';
import type { LoginFigures, LoginJob } from './clients/jobs';
import { runClientJob } from './lib/bench-processes';
import { startAuthedServer } from './servers/authed-server';

const rate = Number(process.argv[2] ?? 20);
const windowMs = Number(process.argv[3] ?? 6_000);

const server = await startAuthedServer();
const credentials = await server.createLoginUsers(20);

function runQueueWaitMs(): number {
  return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6;
}
let recording = false;
const lateness: number[] = [];
let due = performance.now() + 1;
let waited = runQueueWaitMs();
const probe = setInterval(() => {
  const now = performance.now();
  const wait = runQueueWaitMs();
  if (recording) lateness.push(now - due - (wait - waited));
  due = now + 1;
  waited = wait;
}, 1);

const logins = (durationMs: number): LoginJob => ({
  kind: 'logins',
  port: server.port,
  serverPid: process.pid,
  cookies: [],
  credentials,
  ratePerSecond: rate,
  durationMs,
});

function report(label: string, extra = ''): void {
  const sorted = lateness.splice(0).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!.toFixed(2);
  const over = (ms: number) => sorted.filter((late) => late > ms).length;
  console.log(
    `${label.padEnd(14)} ${sorted.length} ticks, late p99 ${at(0.99)} ms, p99.9 ${at(0.999)} ms; ` +
      `${over(0.3)} more than 0.3 ms late, ${over(1)} more than 1 ms${extra}`,
  );
}

// Steady state first: the JIT's compilations of the login path.
await runClientJob<LoginFigures>(logins(3_000));
recording = true;
await Bun.sleep(windowMs);
recording = false;
report('no logins');
recording = true;
const figures = await runClientJob<LoginFigures>(logins(windowMs));
recording = false;
report(`${rate} logins/s`, `; login p50 ${figures.p50Ms.toFixed(0)} ms, ${figures.ok}/${figures.attempted} signed in`);
clearInterval(probe);
await server.stop();
process.exit(0);
