import type { FanoutSummary } from '../scenarios/logout-fanout';
import type { IdleMemoryFigures } from '../scenarios/idle-memory';
import type { LoginStormSummary } from '../scenarios/login-storm';
import type { ShapeSummary } from '../scenarios/shapes';

/** One performance target and how this run did against it. */
export interface TargetCheck {
  name: string;
  /** The bound, written as the README states it. */
  target: string;
  value: number;
  unit: string;
  met: boolean;
}

/** A target's line: met when `value` was measured (finite) and `ok` says so of it. */
export function targetCheck(name: string, target: string, value: number, unit: string, ok: (v: number) => boolean): TargetCheck {
  return { name, target, value, unit, met: Number.isFinite(value) && ok(value) };
}

/** The project's targets (2-core machine, same-run ratios) checked against a run. */
export function checkTargets(input: {
  shapes: ShapeSummary[];
  idle: IdleMemoryFigures[] | null;
  fanout: FanoutSummary | null;
  logins: LoginStormSummary | null;
}): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const s of input.shapes) {
    out.push(targetCheck(`authed events/s ÷ bare, ${s.shape}`, '≥ 0.80', s.ratios.throughput, '×', (v) => v >= 0.8));
  }
  for (const s of input.shapes) {
    out.push(targetCheck(`authed CPU/event ÷ bare, ${s.shape}`, '≤ 1.30', s.ratios.cpuPerEvent, '×', (v) => v <= 1.3));
  }
  const oneCallPerTab = input.shapes.find((s) => s.connections === 50 && s.inFlight === 1);
  if (oneCallPerTab) {
    out.push(targetCheck('authed p99 ÷ bare p99, 50×1', '≤ 1.50', oneCallPerTab.ratios.p99, '×', (v) => v <= 1.5));
    // The closer goal at one call per tab, where the per-event cost weighs most.
    out.push(targetCheck('authed events/s ÷ bare, 50×1, goal', '≥ 0.92', oneCallPerTab.ratios.throughput, '×', (v) => v >= 0.92));
    out.push(targetCheck('authed CPU/event ÷ bare, 50×1, goal', '≤ 1.12', oneCallPerTab.ratios.cpuPerEvent, '×', (v) => v <= 1.12));
  }
  const idle = input.idle?.find((i) => i.kind === 'authed');
  const bareIdle = input.idle?.find((i) => i.kind === 'bare');
  if (idle) {
    const kb = idle.rssBytesPerConnection / 1024;
    out.push(targetCheck(`RSS per idle authed connection (${idle.connections})`, '≤ 8 KB', kb, 'KB', (v) => v <= 8));
    out.push(targetCheck(`RSS per idle authed connection (${idle.connections}), goal`, '≤ 4 KB', kb, 'KB', (v) => v <= 4));
  }
  if (idle && bareIdle) {
    const vsBare = idle.rssBytesPerConnection / bareIdle.rssBytesPerConnection;
    out.push(targetCheck('RSS per idle tab, authed ÷ bare', '≤ 1.20', vsBare, '×', (v) => v <= 1.2));
  }
  if (input.fanout) {
    out.push(
      targetCheck(
        `logout fan-out to ${input.fanout.tabs} tabs`,
        '≤ 100 ms',
        input.fanout.lastPushMs,
        'ms',
        (v) => v <= 100 && input.fanout!.complete,
      ),
    );
  }
  if (input.logins) {
    out.push(
      targetCheck(
        `others' p99 during ${input.logins.loginsPerSecond} logins/s ÷ without`,
        '≤ 2.00',
        input.logins.p99Ratio,
        '×',
        (v) => v <= 2,
      ),
      targetCheck(
        `others' p99 during ${input.logins.loginsPerSecond} logins/s ÷ without, goal`,
        '≤ 1.50',
        input.logins.p99Ratio,
        '×',
        (v) => v <= 1.5,
      ),
    );
  }
  return out;
}
