/**
 * The soak at full size (`bun run bench:soak`): the hardening tests' scenarios
 * with production-like numbers, each against a Statehouse in its own process.
 *
 *   load    2,000 authenticated tabs, mixed events for 60 s (after a warm-up):
 *           no unexpected error, no lost session write, nothing left in the
 *           registry, RSS after a GC (and glibc's malloc_trim) within 10% of
 *           the warm baseline; the untrimmed RSS is reported too
 *   cycles  10,000 connect/disconnect cycles carrying 100,000 events: same checks
 *   crash   kill -9 under load, restart on the same file: sessions valid,
 *           tabs back signed in, no acknowledged write lost
 *
 * Options: --connections N --seconds S --warmup S --cycles N --events N
 *          --only load|cycles|crash. Exits 1 when any check fails.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTempDir } from '../../helpers/db';
import {
  mib,
  missingWrites,
  reconnectWithBackoff,
  runCycles,
  runMixedLoad,
  settledRss,
  startSoakServer,
  waitUntilEmpty,
  type SettledRss,
  type SoakStats,
} from './fixtures/soak';

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    cycles: { type: 'string', default: '10000' },
    events: { type: 'string', default: '100000' },
    only: { type: 'string' },
  },
});
const CONNECTIONS = Number(values.connections);
const SECONDS = Number(values.seconds);
const WARM_UP = Number(values.warmup);
const CYCLES = Number(values.cycles);
const EVENTS = Number(values.events);
const RSS_TOLERANCE = 0.1;
const TABS_PER_USER = 4;

interface Outcome {
  scenario: string;
  numbers: Record<string, string | number>;
  failures: string[];
}

function emptyFailures(stats: SoakStats): string[] {
  const { registry, subscriptions } = stats;
  const left = { ...registry, subscriptions };
  return Object.values(left).some((n) => n !== 0) ? [`left behind: ${JSON.stringify(left)}`] : [];
}

function rssFailures(baseline: SettledRss, settled: SettledRss): string[] {
  return settled.rss > baseline.rss * (1 + RSS_TOLERANCE)
    ? [`RSS ${mib(settled.rss)} is over the warm baseline ${mib(baseline.rss)} + 10%`]
    : [];
}

/** Both readings: what live allocations hold, and what glibc keeps mapped besides. */
function rssNumbers(label: string, rss: SettledRss): Record<string, string> {
  return { [`RSS ${label}`]: mib(rss.rss), [`RSS ${label}, untrimmed`]: mib(rss.untrimmed) };
}

async function withServer<T>(name: string, run: (dbPath: string) => Promise<T>): Promise<T> {
  const dir = createTempDir(`statehouse-soak-${name}-`);
  try {
    return await run(join(dir, `${name}.db`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function load(): Promise<Outcome> {
  return withServer('load', async (dbPath) => {
    const server = await startSoakServer(dbPath);
    try {
      const users = await server.seed(Math.ceil(CONNECTIONS / TABS_PER_USER), 'soak-user-');
      const warm = await runMixedLoad(server.url, users, {
        connections: CONNECTIONS,
        seconds: WARM_UP,
        tabsPerUser: TABS_PER_USER,
        label: 'warm',
      });
      await waitUntilEmpty(server, 60_000);
      const baseline = await settledRss(server);
      const started = performance.now();
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, server.rss())), 500);
      const run = await runMixedLoad(server.url, users, {
        connections: CONNECTIONS,
        seconds: SECONDS,
        tabsPerUser: TABS_PER_USER,
        label: 'main',
        acked: warm.acked,
      });
      clearInterval(sampler);
      const elapsed = (performance.now() - started) / 1000;
      const after = await waitUntilEmpty(server, 60_000);
      const missing = await missingWrites(dbPath, run.acked);
      const settled = await settledRss(server);
      const { heapUsed } = await server.memory();
      const writes = [...run.acked.values()].reduce((n, w) => n + w.size, 0);
      return {
        scenario: `load: ${CONNECTIONS} tabs × ${SECONDS} s`,
        numbers: {
          events: run.events,
          'events/s': Math.round(run.events / elapsed),
          'acknowledged writes': writes,
          ...rssNumbers('warm baseline', baseline),
          'RSS peak': mib(peak),
          ...rssNumbers('after', settled),
          'JS heap after': mib(heapUsed),
        },
        failures: [
          ...[...warm.unexpected, ...run.unexpected].map((u) => `unexpected: ${u}`),
          ...missing.map((m) => `lost write: ${m}`),
          ...emptyFailures(after),
          ...rssFailures(baseline, settled),
        ],
      };
    } finally {
      await server.stop();
    }
  });
}

async function cycles(): Promise<Outcome> {
  return withServer('cycles', async (dbPath) => {
    const server = await startSoakServer(dbPath);
    try {
      const users = await server.seed(100, 'cycle-user-');
      const warm = await runCycles(server.url, users, { cycles: Math.ceil(CYCLES / 4), events: Math.ceil(EVENTS / 4) });
      await waitUntilEmpty(server, 60_000);
      const baseline = await settledRss(server);
      const started = performance.now();
      const run = await runCycles(server.url, users, { cycles: CYCLES, events: EVENTS, acked: warm.acked });
      const elapsed = (performance.now() - started) / 1000;
      const after = await waitUntilEmpty(server, 60_000);
      const missing = await missingWrites(dbPath, run.acked);
      const settled = await settledRss(server);
      return {
        scenario: `cycles: ${CYCLES} connections, ${EVENTS} events`,
        numbers: {
          events: run.events,
          'cycles/s': Math.round(CYCLES / elapsed),
          ...rssNumbers('warm baseline', baseline),
          ...rssNumbers('after', settled),
        },
        failures: [
          ...[...warm.unexpected, ...run.unexpected].map((u) => `unexpected: ${u}`),
          ...missing.map((m) => `lost write: ${m}`),
          ...emptyFailures(after),
          ...rssFailures(baseline, settled),
        ],
      };
    } finally {
      await server.stop();
    }
  });
}

async function crash(): Promise<Outcome> {
  return withServer('crash', async (dbPath) => {
    let server = await startSoakServer(dbPath);
    try {
      const tabs = Math.max(2, Math.round(CONNECTIONS / 4));
      const users = await server.seed(Math.ceil(tabs / 2), 'crash-user-');
      const { url } = server;
      const port = Number(new URL(url).port);
      const load = runMixedLoad(url, users, { connections: tabs, seconds: 600, thinkMs: 5, tabsPerUser: 2, label: 'crash' });
      await Bun.sleep(Math.min(10, SECONDS) * 1000);
      await server.kill9();
      const { acked, unexpected } = await load;
      const deadline = Date.now() + 60_000;
      const reconnecting = Promise.all(
        Array.from({ length: tabs }, (_, i) => reconnectWithBackoff(url, users[Math.floor(i / 2)]!.cookie, `crash-${i}`, deadline)),
      );
      server = await startSoakServer(dbPath, { port });
      const clients = await reconnecting;
      const failures = unexpected.filter((u) => !u.includes('CLOSED')).map((u) => `unexpected: ${u}`);
      for (const [i, client] of clients.entries()) {
        const user = users[Math.floor(i / 2)]!;
        const who = await client.call('query', 'probe.whoami');
        if (who.result?.data?.data?.userId !== user.userId)
          failures.push(`tab ${i} came back as ${JSON.stringify(who.result?.data?.data ?? who.error)}`);
      }
      failures.push(...(await missingWrites(dbPath, acked)).map((m) => `lost write: ${m}`));
      await Promise.all(clients.map((c) => c.close()));
      return {
        scenario: `crash: kill -9 under ${tabs} tabs, restart`,
        numbers: { 'acknowledged writes': [...acked.values()].reduce((n, w) => n + w.size, 0), 'tabs back signed in': clients.length },
        failures,
      };
    } finally {
      await server.stop();
    }
  });
}

const scenarios = { load, cycles, crash } as const;
const chosen = values.only ? [values.only as keyof typeof scenarios] : (Object.keys(scenarios) as (keyof typeof scenarios)[]);
let failed = false;
for (const name of chosen) {
  const run = scenarios[name];
  if (!run) throw new Error(`unknown scenario ${name}`);
  const outcome = await run();
  console.log(`\n${outcome.scenario}: ${outcome.failures.length === 0 ? 'ok' : 'FAILED'}`);
  for (const [k, v] of Object.entries(outcome.numbers)) console.log(`  ${k.padEnd(30)} ${v}`);
  for (const failure of outcome.failures.slice(0, 20)) console.log(`  ✗ ${failure}`);
  if (outcome.failures.length > 20) console.log(`  … and ${outcome.failures.length - 20} more`);
  failed ||= outcome.failures.length > 0;
}
process.exit(failed ? 1 : 0);
