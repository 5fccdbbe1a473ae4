import type { BenchSummary } from '../harness';
import { eventPartsRows } from '../scenarios/event-parts';
import { clientLoadRows } from '../scenarios/client-load';
import { stormRows } from '../scenarios/reconnect-storm';

/** A plain-text table: the first `leftColumns` columns left-aligned, the rest (numbers) right-aligned. */
export function textTable(header: string[], rows: string[][], leftColumns = 2): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const fixed = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
const int = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');

/**
 * The table `bun run bench` prints (and the README's Performance section
 * copies): per shape and server, medians of the rounds and same-round ratios;
 * then the other figures and the targets.
 */
export function formatSummary(summary: BenchSummary): string {
  const out: string[] = [];
  out.push(
    `Statehouse bench — ${summary.machine.date} — ${summary.machine.cpus} × ${summary.machine.cpuModel}, ` +
      `Bun ${summary.machine.bun}, ${summary.options.rounds} rounds (medians), ${summary.options.measureMs / 1000} s windows`,
    '',
  );
  const rows: string[][] = [];
  for (const s of summary.shapes) {
    for (const kind of ['ceiling', 'bare', 'authed'] as const) {
      const k = s.kinds[kind];
      const vsBare = kind === 'authed' ? fixed(s.ratios.throughput, 2) : kind === 'bare' ? '1.00' : '';
      const cpuVsBare = kind === 'authed' ? fixed(s.ratios.cpuPerEvent, 2) : kind === 'bare' ? '1.00' : '';
      const p99VsBare = kind === 'authed' ? fixed(s.ratios.p99, 2) : kind === 'bare' ? '1.00' : '';
      const vsCeiling =
        kind === 'authed' ? fixed(s.ratios.authedVsCeiling, 2) : kind === 'bare' ? fixed(s.ratios.bareVsCeiling, 2) : '1.00';
      rows.push([
        kind === 'ceiling' ? s.shape : '',
        kind,
        int(k.eventsPerSecond),
        vsCeiling,
        vsBare,
        fixed(k.p50Ms, 2),
        fixed(k.p99Ms, 2),
        p99VsBare,
        fixed(k.serverCpuUsPerEvent, 1),
        cpuVsBare,
        fixed(k.serverRssBytes / 1048576, 0),
      ]);
    }
  }
  // `--only` another scenario: no shapes ran, and no empty table is printed for them.
  if (rows.length > 0) {
    out.push(
      textTable(
        ['shape', 'server', 'events/s', '×ceiling', '×bare', 'p50 ms', 'p99 ms', 'p99 ×bare', 'CPU µs/ev', 'CPU ×bare', 'RSS MB'],
        rows,
      ),
      '',
    );
  }

  const extra: string[][] = [];
  for (const idle of summary.idle ?? []) {
    extra.push([
      `idle memory, ${idle.kind}`,
      `${fixed(idle.rssBytesPerConnection / 1024, 2)} KB RSS/conn`,
      `${fixed(idle.heapBytesPerConnection / 1024, 2)} KB JS heap/conn (capacity ${fixed(idle.heapCapacityBytesPerConnection / 1024, 2)} KB), ${int(idle.connections)} subscribed tabs`,
    ]);
  }
  if (summary.fanout) {
    const f = summary.fanout;
    extra.push([
      `logout fan-out`,
      `${fixed(f.lastPushMs, 1)} ms to last tab`,
      `${f.tabs} tabs over ${f.sessions} sessions of one user; p50 tab ${fixed(f.p50PushMs, 1)} ms, reply ${fixed(f.replyMs, 1)} ms`,
    ]);
  }
  if (summary.storm) extra.push(...stormRows(summary.storm));
  if (summary.logins) {
    const l = summary.logins;
    extra.push([
      `p99 during ${l.loginsPerSecond} logins/s`,
      `${fixed(l.p99Ratio, 2)} × without`,
      `${fixed(l.p99WithMs, 2)} vs ${fixed(l.p99WithoutMs, 2)} ms at ${int(l.connections * l.ratePerConnection)} events/s open loop; login p50 ${fixed(l.loginP50Ms, 1)} ms`,
    ]);
    extra.push([
      `p99 during their hashing alone`,
      `${fixed(l.p99HashesRatio, 2)} × without`,
      `${fixed(l.p99WithHashesMs, 2)} ms: the same argon2id verifies in another process, no server work`,
    ]);
    extra.push([
      `CPU per login`,
      `${fixed(l.cpuMsPerLogin, 1)} ms`,
      `${fixed(l.mainThreadCpuMsPerLogin, 1)} ms on the main thread (${fixed(l.offMainThreadShare * 100, 0)} % off it: argon2id on the hashing threads)`,
    ]);
  }
  if (summary.client) extra.push(...clientLoadRows(summary.client));
  if (extra.length > 0) out.push(textTable(['measure', 'value', 'detail'], extra, 3), '');
  if (summary.parts) {
    const { connections, inFlight, rounds } = summary.parts.options;
    out.push(
      `what each part of an authed event costs: ${connections}×${inFlight}, medians of ${rounds} rounds, ratios to bare in the same round`,
      textTable(['part', 'what runs', 'events/s', '×bare', 'CPU µs/ev', 'CPU ×bare'], eventPartsRows(summary.parts), 2),
      '',
    );
  }

  const targets = summary.targets.map((t) => [t.name, t.target, `${fixed(t.value, 2)} ${t.unit}`, t.met ? 'met' : 'MISSED']);
  if (targets.length > 0) out.push(textTable(['target', 'bound', 'this run', ''], targets));
  return out.join('\n').trimEnd();
}
