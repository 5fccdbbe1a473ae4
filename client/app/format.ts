const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * A timestamp (ms) as a short local date and time.
 *
 * @example
 * formatDateTime(Date.UTC(2025, 0, 2, 9, 30)); // 'Jan 2, 2025, 9:30 AM' (en-US)
 */
export function formatDateTime(ms: number): string {
  return DATE_TIME.format(new Date(ms));
}

/**
 * How long ago a timestamp was: "just now", "5 minutes ago", "yesterday".
 *
 * @example
 * formatAgo(Date.now() - 2 * 60_000); // '2 minutes ago'
 */
export function formatAgo(ms: number, now: number = Date.now()): string {
  const elapsed = Math.max(0, now - ms);
  if (elapsed < MINUTE_MS) return 'just now';
  if (elapsed < HOUR_MS) return RELATIVE.format(-Math.floor(elapsed / MINUTE_MS), 'minute');
  if (elapsed < DAY_MS) return RELATIVE.format(-Math.floor(elapsed / HOUR_MS), 'hour');
  return RELATIVE.format(-Math.floor(elapsed / DAY_MS), 'day');
}
