/** A time range the audit log filters by: `since` inclusive, `before` exclusive, ms since the epoch. */
export interface DayRange {
  since?: number;
  before?: number;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Midnight starting `day` (`YYYY-MM-DD`, as a date input gives it) in the browser's time zone, `days` later; null when not a date. */
function localMidnight(day: string, days = 0): number | null {
  const match = DAY.exec(day);
  if (!match) return null;
  const at = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + days).getTime();
  return Number.isNaN(at) ? null : at;
}

/**
 * The local days `from` … `to` (both included, either may be empty) as a time
 * range: from the start of `from` to the start of the day after `to`, in the
 * browser's time zone.
 *
 * @example
 * localDayRange('2026-03-01', '2026-03-31'); // { since: 1 March 00:00, before: 1 April 00:00 }, local time
 */
export function localDayRange(from: string, to: string): DayRange {
  const since = localMidnight(from);
  const before = localMidnight(to, 1);
  return { ...(since === null ? {} : { since }), ...(before === null ? {} : { before }) };
}
