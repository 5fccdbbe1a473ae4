import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir } from '../../helpers/db';
import { missingWrites, runCycles, settledRss, startSoakServer, waitUntilEmpty, type SeededUser, type SoakServer } from './fixtures/soak';

/** CI size; `bun run bench:soak` runs 10,000 cycles and 100,000 events through the same harness. */
const CYCLES = 2_000;
const EVENTS = 20_000;
const RSS_TOLERANCE = 0.1;

let dir: string;
let server: SoakServer;
let users: SeededUser[];
beforeAll(async () => {
  dir = createTempDir('statehouse-cycles-');
  server = await startSoakServer(join(dir, 'cycles.db'));
  users = await server.seed(50, 'cycle-user-');
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe(`${CYCLES} connect/disconnect cycles carrying ${EVENTS} events`, () => {
  test('leave the registry empty and the server’s RSS within 10% of its warm baseline', async () => {
    const warm = await runCycles(server.url, users, { cycles: CYCLES / 4, events: EVENTS / 4 });
    expect(warm.unexpected).toEqual([]);
    await waitUntilEmpty(server);
    const baseline = await settledRss(server);

    const run = await runCycles(server.url, users, { cycles: CYCLES, events: EVENTS, acked: warm.acked });
    expect(run.unexpected).toEqual([]);
    expect(run.events).toBe(EVENTS);

    const after = await waitUntilEmpty(server);
    expect(after.registry).toEqual({ connections: 0, sessions: 0, users: 0, stashed: 0, addresses: 0 });
    expect(after.subscriptions).toBe(0);
    expect(await missingWrites(server.dbPath, run.acked)).toEqual([]);

    const settled = await settledRss(server);
    // RSS of the server process (from /proc), in bytes, after a GC and glibc's
    // malloc_trim: freed native memory that glibc keeps mapped is not a leak
    // (see settledRss); what live allocations hold must be back to the baseline.
    expect(settled.rss).toBeLessThanOrEqual(baseline.rss * (1 + RSS_TOLERANCE));
  }, 120_000);
});
