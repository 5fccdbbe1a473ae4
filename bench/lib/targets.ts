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

function check(name: string, target: string, value: number, unit: string, ok: (v: number) => boolean): TargetCheck {
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
    out.push(check(`authed events/s ÷ bare, ${s.shape}`, '≥ 0.80', s.ratios.throughput, '×', (v) => v >= 0.8));
  }
  for (const s of input.shapes) {
    out.push(check(`authed CPU/event ÷ bare, ${s.shape}`, '≤ 1.30', s.ratios.cpuPerEvent, '×', (v) => v <= 1.3));
  }
  const p99Shape = input.shapes.find((s) => s.connections === 50 && s.inFlight === 1);
  if (p99Shape) out.push(check('authed p99 ÷ bare p99, 50×1', '≤ 1.50', p99Shape.ratios.p99, '×', (v) => v <= 1.5));
  const idle = input.idle?.find((i) => i.kind === 'authed');
  if (idle) {
    out.push(
      check(`RSS per idle authed connection (${idle.connections})`, '≤ 8 KB', idle.rssBytesPerConnection / 1024, 'KB', (v) => v <= 8),
    );
  }
  if (input.fanout) {
    out.push(
      check(
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
      check(`others' p99 during ${input.logins.loginsPerSecond} logins/s ÷ without`, '≤ 2.00', input.logins.p99Ratio, '×', (v) => v <= 2),
    );
  }
  return out;
}
