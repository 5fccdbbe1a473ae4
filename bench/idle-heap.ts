/**
 * What an idle tab keeps in the JS heap, by class:
 * `bun bench/idle-heap.ts <bare|authed> [tabs = 3000] [--referrers]`.
 *
 * Runs the bench server in this process and opens the tabs from a client
 * process (socket, connection params, `statehouse.state` subscription, first
 * push, as `--only idle` does); after a warm-up of 200 tabs opened and
 * closed, takes a JSC heap snapshot before and after, and prints the growth
 * per tab of each class (count and bytes), largest first. `--referrers` adds
 * what holds each new cell (class, property): how a part stays alive. The
 * snapshots allocate, so RSS and capacity are the idle scenario's to measure,
 * not this one's.
 */
import { heapStats } from 'bun:jsc';
import type { IdleJob } from './clients/jobs';
import { startClient } from './lib/bench-processes';
import type { WorkerProcess } from './lib/worker-process';
import { startAuthedServer } from './servers/authed-server';
import { startBareServer } from './servers/bare-server';
import type { BenchServer } from './servers/bench-server';

interface Snapshot {
  nodes: number[];
  nodeClassNames: string[];
  edges: number[];
  edgeTypes: string[];
  edgeNames: string[];
}

/** Fields per node and per edge in JSC's heap snapshot (version 2 and 3). */
const NODE_FIELDS = 4;
const EDGE_FIELDS = 4;

/** Count and bytes by class name. */
function classesOf(snapshot: Snapshot): Map<string, { count: number; bytes: number }> {
  const out = new Map<string, { count: number; bytes: number }>();
  const { nodes, nodeClassNames } = snapshot;
  for (let i = 0; i < nodes.length; i += NODE_FIELDS) {
    const name = nodeClassNames[nodes[i + 2]!]!;
    const entry = out.get(name) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += nodes[i + 1]!;
    out.set(name, entry);
  }
  return out;
}

/** Cells by `class <- holder class.property` (each cell under its first holder). */
function referrersOf(snapshot: Snapshot): Map<string, number> {
  const classOf = new Map<number, string>();
  const { nodes, nodeClassNames, edges, edgeTypes, edgeNames } = snapshot;
  for (let i = 0; i < nodes.length; i += NODE_FIELDS) classOf.set(nodes[i]!, nodeClassNames[nodes[i + 2]!]!);
  const seen = new Set<number>();
  const out = new Map<string, number>();
  for (let i = 0; i < edges.length; i += EDGE_FIELDS) {
    const to = edges[i + 1]!;
    if (seen.has(to)) continue;
    seen.add(to);
    const type = edgeTypes[edges[i + 2]!];
    const name = type === 'Property' || type === 'Variable' ? edgeNames[edges[i + 3]!] : type === 'Index' ? '[i]' : '(internal)';
    const key = `${classOf.get(to)} <- ${classOf.get(edges[i]!)}.${name}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

async function settled(withReferrers: boolean) {
  await Bun.sleep(3_500); // past the session cache and the sweep that lets idle tabs drop it
  Bun.gc(true);
  const stats = heapStats();
  const snapshot = Bun.generateHeapSnapshot() as unknown as Snapshot;
  return { heap: stats.heapSize, classes: classesOf(snapshot), referrers: withReferrers ? referrersOf(snapshot) : null };
}

async function openTabs(server: BenchServer, cookies: string[], count: number): Promise<WorkerProcess> {
  const client = await startClient();
  const job: IdleJob = { kind: 'idle', port: server.port, serverPid: process.pid, cookies, count, concurrency: 200 };
  await client.request({ type: 'job', job }, 'result', 600_000);
  return client;
}

const [kind = 'authed', tabsArg = '3000'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const withReferrers = process.argv.includes('--referrers');
if (kind !== 'bare' && kind !== 'authed') throw new Error(`usage: idle-heap.ts <bare|authed> [tabs] [--referrers], got ${kind}`);
const tabs = Number(tabsArg);

const authed = kind === 'authed' ? await startAuthedServer() : null;
const server: BenchServer = authed ?? startBareServer();
// As the idle scenario: each tab its own session, ten per user (bare: the same cookie header, unused).
const cookies = authed
  ? await authed.createSessions(tabs, Math.ceil(tabs / 10))
  : [`statehouse_session=${'x'.repeat(24)}.${'y'.repeat(32)}`];
const warm = await openTabs(server, cookies, 200);
await warm.stop();
const before = await settled(withReferrers);
const client = await openTabs(server, cookies, tabs);
const after = await settled(withReferrers);

const rows: [string, number, number][] = [];
for (const [name, grown] of after.classes) {
  const was = before.classes.get(name) ?? { count: 0, bytes: 0 };
  const count = (grown.count - was.count) / tabs;
  if (Math.abs(count) >= 0.05) rows.push([name, count, (grown.bytes - was.bytes) / tabs]);
}
rows.sort((a, b) => b[2] - a[2]);
const total = rows.reduce((sum, row) => sum + row[2], 0);
console.log(`${kind}, ${tabs} idle tabs: ${((after.heap - before.heap) / tabs).toFixed(0)} B live JS heap per tab; by class (per tab):`);
for (const [name, count, bytes] of rows)
  console.log(`  ${name.padEnd(28)} ${count.toFixed(2).padStart(6)}  ${bytes.toFixed(0).padStart(5)} B`);
console.log(`  ${'all of them'.padEnd(28)} ${''.padStart(6)}  ${total.toFixed(0).padStart(5)} B`);
if (after.referrers && before.referrers) {
  console.log('held by (cells per tab):');
  const held: [string, number][] = [];
  for (const [key, count] of after.referrers) {
    const grown = (count - (before.referrers.get(key) ?? 0)) / tabs;
    if (grown >= 0.05) held.push([key, grown]);
  }
  for (const [key, grown] of held.sort((a, b) => b[1] - a[1])) console.log(`  ${grown.toFixed(2).padStart(5)}  ${key}`);
}
await client.stop();
await server.stop();
process.exit(0);
