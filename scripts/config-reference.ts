/**
 * `bun run docs:config`: writes docs/configuration.md from the config schema
 * (`server/config.ts`): every key, its environment variable, its default and
 * its description. `tests/server/config-reference-is-generated.test.ts`
 * fails when the page and the schema disagree.
 */
import { resolve } from 'node:path';
import { configKeys, loadConfig } from '../server/config';

export const CONFIG_REFERENCE_PATH = resolve(import.meta.dir, '../docs/configuration.md');

const DURATIONS: [ms: number, unit: string][] = [
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
  [1_000, 'second'],
];

/** `1209600000` → `1,209,600,000 (14 days)` for a key in milliseconds. */
function formatValue(key: string, value: unknown): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'number') {
    const plain = value >= 10_000 ? value.toLocaleString('en-US') : String(value);
    if (!key.endsWith('Ms') || value === 0) return `\`${plain}\``;
    const [ms, unit] = DURATIONS.find(([ms]) => value % ms === 0) ?? [1, 'ms'];
    const n = value / ms;
    return `\`${plain}\` (${n} ${unit}${n === 1 || unit === 'ms' ? '' : 's'})`;
  }
  return `\`${JSON.stringify(value)}\``;
}

function valueAt(root: unknown, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

/** The page, as `bun run docs:config` writes it. */
export function configReference(): string {
  const defaults = loadConfig({}, {});
  const rows = configKeys().map(({ path, meta }) => {
    const key = path.join('.');
    const env = meta?.env ? `\`${meta.env}\`` : '';
    const description = meta?.description ?? '(undocumented)';
    return `| \`${key}\` | ${env} | ${formatValue(key, valueAt(defaults, path))} | ${description.replaceAll('|', '\\|')} |`;
  });
  return `# Configuration

<!-- Generated from server/config.ts by \`bun run docs:config\`: edit the schema, not this page. -->

One typed config (\`server/config.ts\`, validated with zod): defaults, then the
values passed to \`createStatehouse({ config })\`, then environment variables
(lists comma-separated, booleans \`1\`/\`true\`/\`yes\`/\`on\`). An invalid value
stops the start with a message naming the key, e.g.
\`auth.loginFields: Too small: expected array to have >=1 items\`.

| key | env | default | what |
|---|---|---|---|
${rows.join('\n')}

Besides these, \`createStatehouse({ config })\` takes two keys that are code, not
values: \`contextProcessors\` (see [context processors](context-processors.md))
and \`hooks\` (\`onAuthFailed\`, \`onPermissionDenied\`, which may answer client actions
for the refused event's reply: see [authentication](authentication.md#app-wide-hooks); \`onAuditEvent\`, which
receives each recorded security event: see [admin and audit log](admin-and-audit.md)).
`;
}

if (import.meta.main) {
  await Bun.write(CONFIG_REFERENCE_PATH, configReference());
  console.log(`wrote ${CONFIG_REFERENCE_PATH}`);
}
