import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTempDir } from '../../helpers/db';
import { missingWrites, reconnectWithBackoff, runMixedLoad, startSoakServer, type SeededUser, type SoakServer } from './fixtures/soak';

const USERS = 25;
const TABS_PER_USER = 2;
const LOAD_BEFORE_KILL_MS = 1500;

let dir: string;
let dbPath: string;
let server: SoakServer;
let users: SeededUser[];
beforeAll(async () => {
  dir = createTempDir('statehouse-crash-');
  dbPath = join(dir, 'crash.db');
  server = await startSoakServer(dbPath);
  users = await server.seed(USERS, 'crash-user-');
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 under load, then a restart on the same database file', () => {
  test('every session is still valid, tabs reconnect signed in without a new login, and no acknowledged write is lost', async () => {
    const { url, port } = { url: server.url, port: Number(new URL(server.url).port) };
    const load = runMixedLoad(url, users, {
      connections: USERS * TABS_PER_USER,
      seconds: 60,
      thinkMs: 5,
      tabsPerUser: TABS_PER_USER,
      label: 'crash',
    });
    await Bun.sleep(LOAD_BEFORE_KILL_MS);
    await server.kill9();
    const { unexpected, acked } = await load;
    // Calls in flight at the kill end with the socket; nothing else may fail.
    expect(unexpected.filter((u) => !u.includes('CLOSED'))).toEqual([]);
    const writes = [...acked.values()].reduce((n, w) => n + w.size, 0);
    expect(writes).toBeGreaterThan(0);

    // Tabs start reconnecting at once; the server comes back on the same port meanwhile.
    const deadline = Date.now() + 20_000;
    const tabs = users.flatMap((user) =>
      Array.from({ length: TABS_PER_USER }, (_, k) => ({ user, tabId: `crash-tab-${user.userId}-${k}` })),
    );
    const reconnecting = Promise.all(tabs.map(({ user, tabId }) => reconnectWithBackoff(url, user.cookie, tabId, deadline)));
    await Bun.sleep(200);
    server = await startSoakServer(dbPath, { port });
    expect(server.url).toBe(url);
    const clients = await reconnecting;

    for (const [i, client] of clients.entries()) {
      const { user } = tabs[i]!;
      const who = await client.call('query', 'probe.whoami');
      expect(who.result?.data?.data).toMatchObject({ userId: user.userId, username: user.username, isAuthenticated: true });
      expect((await client.call('query', 'probe.secret')).result?.data?.data).toBe(`hello ${user.username}`);
    }

    // Every write acknowledged before the kill is in the file and served again.
    expect(await missingWrites(dbPath, acked)).toEqual([]);
    for (const [i, client] of clients.entries()) {
      const mine = acked.get(tabs[i]!.user.cookie);
      if (!mine) continue;
      const [key, value] = [...mine].at(-1)!;
      expect((await client.call('query', 'probe.sessionGet', { key })).result?.data?.data).toBe(value);
    }
    await Promise.all(clients.map((c) => c.close()));
  }, 60_000);
});
