import { afterAll, beforeAll, describe, expect, expectTypeOf, test } from 'bun:test';
import { join } from 'node:path';
import { createRoot } from 'solid-js';
import { render } from 'solid-js/web';
import { createStateClient, FIRST_PUSH_MARK, StateProvider, useAuth, useSlice, type StateClient } from '../../client/state';
import { openMigratedDatabase, type DatabaseHandle } from '../../db/client';
import { createLibsqlSessionBackend } from '../../server/auth/libsql-session-backend';
import { createSession } from '../../server/auth/session';
import { createUser } from '../../server/auth/users';
import { loadConfig } from '../../server/config';
import { sessionSettingsOf } from '../../server/runtime';
import type { AuthSnapshot } from '../../server/state/protocol';
import { createTempDir, TEST_HASHING, TEST_RULES } from '../helpers/db';
import type { TestRouter } from '../helpers/server';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node';

/**
 * The Solid client against the real Statehouse server (in its own process:
 * happy-dom replaces this process's networking globals).
 */
type Slices = { dashboard: { tab: string; lastPath: string; counter: number }; auth: AuthSnapshot };

let node: NodeProcess;
let db: DatabaseHandle;
let cookie = '';

beforeAll(async () => {
  const url = `file:${join(createTempDir('statehouse-dom-'), 'dom.db')}`;
  node = await spawnNode({ DATABASE_URL: url, LOG_LEVEL: 'warn' });
  db = await openMigratedDatabase(url);
  const created = await createUser(db.db, { username: 'ada' }, { hashing: TEST_HASHING, rules: TEST_RULES });
  if (!created.ok) throw new Error('no user');
  const { token } = await createSession(createLibsqlSessionBackend(db.db), sessionSettingsOf(loadConfig({}, {})), {
    userId: created.value.id,
  });
  cookie = `statehouse_session=${token}`;
}, 30_000);

afterAll(async () => {
  db?.close();
  await node?.stop();
});

/** A browser sends its cookies and Origin on the upgrade; Bun's client socket needs them spelled out. */
function browserLikeWebSocket(origin: string, cookieHeader: string): typeof WebSocket {
  const Native = globalThis.__native.WebSocket;
  return class extends Native {
    constructor(url: string | URL) {
      super(url, { headers: { origin, cookie: cookieHeader } } as unknown as string[]);
    }
  } as unknown as typeof WebSocket;
}

function connect(withCookie: boolean): StateClient<TestRouter, Slices> {
  const http = new URL(node.url);
  return createStateClient<TestRouter, Slices>({
    url: `ws://${http.host}/trpc`,
    WebSocket: browserLikeWebSocket(http.origin, withCookie ? cookie : ''),
    initialSlices: { dashboard: { tab: 'overview', lastPath: '', counter: 0 } },
  });
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await Bun.sleep(10);
  }
}

describe('the Solid client against the real server', () => {
  test('a call resolves with the handler’s own value and type, and the store follows the delta', async () => {
    const client = connect(true);
    const tab = await client.trpc.probe.setTab.mutate({ tab: 'notes' });
    expectTypeOf(tab).toEqualTypeOf<string>();
    expect(tab).toBe('notes');
    expect(client.slices.dashboard.tab).toBe('notes');
    const counter = await client.trpc.probe.bump.mutate();
    expectTypeOf(counter).toEqualTypeOf<number>();
    expect(client.slices.dashboard.counter).toBe(1);
    const who = await client.trpc.probe.whoami.query();
    expectTypeOf(who.username).toEqualTypeOf<string>();
    expectTypeOf(who.userId).toEqualTypeOf<number | null>();
    expect(who.username).toBe('ada');
    await client.close();
  });

  test('the store applying its first push sets the statehouse:first-push mark, once per client', async () => {
    const marks = () => performance.getEntriesByName(FIRST_PUSH_MARK, 'mark').length;
    const before = marks();
    const client = connect(true);
    expect(marks()).toBe(before);
    await until(() => client.slices.auth.isAuthenticated === true);
    expect(marks()).toBe(before + 1);
    const mark = performance.getEntriesByName(FIRST_PUSH_MARK, 'mark').at(-1)!;
    expect(mark.startTime).toBeGreaterThan(0);
    await client.trpc.probe.bump.mutate();
    await client.reportRoute('/elsewhere', '');
    expect(marks()).toBe(before + 1);
    await client.close();
  });

  test('components bound with useSlice and useAuth re-render from server state', async () => {
    const client = connect(true);
    const host = document.createElement('div');
    document.body.append(host);
    function Panel() {
      const dashboard = useSlice<Slices['dashboard']>('dashboard');
      const auth = useAuth();
      return (
        <p>
          <span data-testid="user">{auth.isAuthenticated ? `Hi, ${auth.username}` : 'anonymous'}</span>
          <span data-testid="tab">{dashboard.tab}</span>
        </p>
      );
    }
    const dispose = render(
      () => (
        <StateProvider client={client}>
          <Panel />
        </StateProvider>
      ),
      host,
    );
    await until(() => host.querySelector('[data-testid=user]')?.textContent === 'Hi, ada');
    await client.trpc.probe.setTab.mutate({ tab: 'activity' });
    expect(host.querySelector('[data-testid=tab]')?.textContent).toBe('activity');
    dispose();
    host.remove();
    await client.close();
  });

  test('a refused call rejects with its typed code and the client runs its redirect action', async () => {
    const client = connect(false);
    const error = await client.trpc.probe.secret.query().catch((e: unknown) => e);
    expect((error as { data?: { code?: string } }).data?.code).toBe('UNAUTHORIZED');
    await until(() => location.pathname === '/login');
    expect(location.search).toBe('?next=%2F');
    await client.close();
  });

  test('the store lives inside a reactive root without leaking', () => {
    createRoot((dispose) => {
      const client = connect(false);
      expect(client.slices.dashboard.tab).toBe('overview');
      void client.close();
      dispose();
    });
  });
});
