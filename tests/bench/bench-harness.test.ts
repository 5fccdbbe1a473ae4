import { describe, expect, test } from 'bun:test';
import { TINY_OPTIONS } from '../../bench/bench-options';
import { formatSummary } from '../../bench/lib/format-table';
import { runBench, type BenchSummary } from '../../bench/harness';
import type { LoadFigures } from '../../bench/clients/jobs';
import { EVENT_PARTS } from '../../bench/scenarios/event-parts';

/** A whole bench run on a tiny workload takes a few seconds per scenario. */
const RUN_TIMEOUT_MS = 180_000;

function expectLoadFigures(figures: LoadFigures): void {
  expect(figures.events).toBeGreaterThan(0);
  expect(figures.errors).toBe(0);
  expect(figures.seconds).toBeGreaterThan(0);
  for (const value of [figures.eventsPerSecond, figures.p50Ms, figures.p99Ms, figures.serverCpuUsPerEvent, figures.serverRssBytes]) {
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThanOrEqual(0);
  }
  expect(figures.p99Ms).toBeGreaterThanOrEqual(figures.p50Ms);
  expect(figures.serverRssBytes).toBeGreaterThan(1024 * 1024);
}

describe('the bench harness on a tiny workload', () => {
  let summary: BenchSummary;

  test(
    'runs every scenario against its baselines and answers well-formed figures',
    async () => {
      summary = await runBench(TINY_OPTIONS);

      expect(summary.shapes.map((s) => s.shape)).toEqual(['1×4', '3×2']);
      for (const shape of summary.shapes) {
        for (const kind of ['ceiling', 'bare', 'authed'] as const) {
          expect(shape.kinds[kind].rounds).toHaveLength(TINY_OPTIONS.rounds);
          for (const round of shape.kinds[kind].rounds) expectLoadFigures(round);
        }
        expect(Number.isFinite(shape.ratios.throughput)).toBe(true);
        expect(Number.isFinite(shape.ratios.p99)).toBe(true);
      }

      expect(summary.idle?.map((i) => i.kind)).toEqual(['ceiling', 'bare', 'authed']);
      for (const idle of summary.idle ?? []) {
        expect(idle.connections).toBe(TINY_OPTIONS.idle!.connections);
        expect(Number.isFinite(idle.rssBytesPerConnection)).toBe(true);
        expect(idle.rssAfterBytes).toBeGreaterThan(0);
      }

      expect(summary.fanout?.complete).toBe(true);
      expect(summary.fanout?.rounds[0]?.reached).toBe(TINY_OPTIONS.fanout!.tabs);
      expect(summary.fanout?.rounds[0]?.sessionsEnded).toBe(TINY_OPTIONS.fanout!.sessions);
      expect(summary.fanout!.lastPushMs).toBeGreaterThan(0);

      const storm = summary.storm!;
      for (const kind of ['ceiling', 'authed'] as const) {
        const [round] = storm.rounds[kind];
        expect(round?.back).toBe(TINY_OPTIONS.storm!.tabs);
        expect(round?.lost).toBe(0);
        expect(round?.signedOut).toBe(0);
        expect(round!.p99BackMs).toBeGreaterThanOrEqual(0);
        expect(round!.allBackMs).toBeGreaterThanOrEqual(round!.p99BackMs);
      }
      expect(Number.isFinite(storm.ratioToCeiling)).toBe(true);

      const logins = summary.logins!;
      expect(logins.rounds).toHaveLength(1);
      expect(logins.rounds[0]!.logins.ok).toBeGreaterThan(0);
      expect(logins.rounds[0]!.logins.failed).toBe(0);
      expectLoadFigures(logins.rounds[0]!.without);
      expectLoadFigures(logins.rounds[0]!.with);
      expectLoadFigures(logins.rounds[0]!.withHashes);
      expect(logins.rounds[0]!.hashes.attempted).toBeGreaterThan(0);
      expect(logins.rounds[0]!.hashes.verified).toBe(logins.rounds[0]!.hashes.attempted);
      expect(logins.p99HashesRatio).toBeGreaterThan(0);
      expect(logins.cpuMsPerLogin).toBeGreaterThan(0);

      const locked = summary.locked!;
      expect(locked.three).toHaveLength(3);
      for (const run of [locked.lockHeld, locked.alone, ...locked.three]) {
        expect(run.load.events).toBeGreaterThan(0);
        expect(run.writes.acknowledged).toBeGreaterThan(0);
        expect(Number.isFinite(run.maxStallMs)).toBe(true);
      }
      expect(locked.lockHeld.heldMs).toBeGreaterThanOrEqual(TINY_OPTIONS.locked!.holdMs);
      expect(locked.lostWrites).toBe(0);

      const parts = summary.parts!;
      expect(parts.parts.map((p) => p.name)).toEqual(EVENT_PARTS.map((p) => p.name));
      for (const part of parts.parts) {
        expect(part.rounds).toHaveLength(1);
        // Every variant answers data: a wrong path would answer errors, and count as none.
        expectLoadFigures(part.rounds[0]!);
      }
      expect(parts.parts[0]!.throughputVsBare).toBe(1);
      const client = summary.client!;
      expect(client.appMs).toHaveLength(TINY_OPTIONS.client!.loads);
      expect(client.floorMs).toHaveLength(TINY_OPTIONS.client!.loads);
      for (const ms of [...client.appMs, ...client.floorMs]) expect(ms).toBeGreaterThan(0);
      expect(Number.isFinite(client.ratioToFloor)).toBe(true);
      expect(client.bundle.files.some((f) => f.shell && f.kind === 'js')).toBe(true);
      expect(client.bundle.files.some((f) => !f.shell && f.kind === 'js')).toBe(true);
      expect(client.bundle.shellJsGzipBytes).toBeGreaterThan(0);
      expect(client.bundle.shellJsGzipBytes).toBeLessThan(client.bundle.shellJsBytes);
      expect(client.bundle.cssGzipBytes).toBeGreaterThan(0);
      expect(summary.targets.some((t) => t.name.startsWith('client JS'))).toBe(true);

      expect(summary.targets.length).toBeGreaterThanOrEqual(7);
      for (const target of summary.targets) expect(typeof target.met).toBe('boolean');
    },
    RUN_TIMEOUT_MS,
  );

  test('prints a table with a row per shape and server, and the targets', () => {
    const table = formatSummary(summary);
    for (const label of [
      '1×4',
      '3×2',
      'ceiling',
      'bare',
      'authed',
      'logout fan-out',
      'reconnect storm',
      'bridge only',
      'first state push',
      'target',
    ])
      expect(table).toContain(label);
  });

  test('a run without shapes (`--only` another scenario) prints no empty shapes table', () => {
    const table = formatSummary({ ...summary, shapes: [] });
    expect(table).not.toContain('events/s  ×ceiling');
    expect(table).toContain('logout fan-out');
  });
});
