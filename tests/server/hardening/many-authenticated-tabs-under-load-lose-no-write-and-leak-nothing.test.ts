import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir } from '../../helpers/db';
import {
  missingWrites,
  runMixedLoad,
  settledRss,
  startSoakServer,
  waitUntilEmpty,
  type SeededUser,
  type SoakServer,
} from './fixtures/soak';

/** CI size; `bun run bench:soak` runs 2,000 tabs for 60 s through the same harness. */
const CONNECTIONS = 200;
const SECONDS = 10;
const WARM_UP_SECONDS = 3;
const TABS_PER_USER = 4;
/** RSS after the run, after a GC and a trim, may exceed the warm baseline by this much. */
const RSS_TOLERANCE = 0.1;

let dir: string;
let server: SoakServer;
let users: SeededUser[];
beforeAll(async () => {
  dir = createTempDir('statehouse-soak-');
  server = await startSoakServer(join(dir, 'soak.db'));
  users = await server.seed(CONNECTIONS / TABS_PER_USER, 'tab-user-');
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe(`${CONNECTIONS} authenticated tabs doing mixed events for ${SECONDS} s`, () => {
  test('no unexpected error, every acknowledged session write is stored, nothing left behind, RSS back to the warm baseline', async () => {
    // Warm-up round of the same shape, then the baseline after a full GC and a trim.
    const warm = await runMixedLoad(server.url, users, {
      connections: CONNECTIONS,
      seconds: WARM_UP_SECONDS,
      tabsPerUser: TABS_PER_USER,
      label: 'warm',
    });
    expect(warm.unexpected).toEqual([]);
    expect((await waitUntilEmpty(server)).registry.connections).toBe(0);
    const baseline = await settledRss(server);

    const run = await runMixedLoad(server.url, users, {
      connections: CONNECTIONS,
      seconds: SECONDS,
      tabsPerUser: TABS_PER_USER,
      label: 'main',
      acked: warm.acked,
    });
    expect(run.unexpected).toEqual([]);
    expect(run.events).toBeGreaterThan(CONNECTIONS * SECONDS);

    // Every tab closed: no connection, index entry, stashed tab or subscription remains.
    const after = await waitUntilEmpty(server);
    expect(after.registry).toEqual({ connections: 0, sessions: 0, users: 0, stashed: 0, addresses: 0 });
    expect(after.subscriptions).toBe(0);

    // Every acknowledged ctx.session.set (warm-up and run) is in the database file.
    const written = [...run.acked.values()].reduce((n, w) => n + w.size, 0);
    expect(written).toBeGreaterThan(CONNECTIONS);
    expect(await missingWrites(server.dbPath, run.acked)).toEqual([]);

    const settled = await settledRss(server);
    // RSS of the server process (from /proc), in bytes, after a GC and glibc's
    // malloc_trim: freed native memory that glibc keeps mapped is not a leak
    // (see settledRss); what live allocations hold must be back to the baseline.
    expect(settled.rss).toBeLessThanOrEqual(baseline.rss * (1 + RSS_TOLERANCE));
  }, 120_000);
});
