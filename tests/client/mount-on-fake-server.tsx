import { createMemoryHistory, MemoryRouter } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { render } from 'solid-js/web';
import { createStateClient } from '../../client/state/client';
import { StateProvider } from '../../client/state/context';
import type { SliceMap } from '../../client/state/store';
import { createFakeLocation, createMemoryStorage, type EventLog } from './browser-fakes';
import { afterAll, afterEach, beforeAll } from 'bun:test';
import { startFakeTrpcServer, type FakeConnection, type FakeHandler, type FakeTrpcServer } from './fake-trpc-server';

/**
 * Renders `routes` at `start` in a memory router, under a state client of
 * the fake server (fake location and storages, logged in `log`); `connection()`
 * is the new socket once its state subscription is open. `cleanups` gets
 * what closes it all.
 */
export function mountOnFakeServer(server: FakeTrpcServer, routes: () => JSX.Element, start: string, cleanups: (() => unknown)[]) {
  const log: EventLog = [];
  const known = new Set(server.connections);
  const client = createStateClient<never, SliceMap>({
    url: server.url,
    WebSocket: globalThis.__native.WebSocket,
    location: createFakeLocation(`http://app.test${start}`, log),
    sessionStorage: createMemoryStorage('sessionStorage', log),
    localStorage: createMemoryStorage('localStorage', log),
    toastDurationMs: 0,
  });
  const history = createMemoryHistory();
  history.set({ value: start, replace: true });
  const container = document.createElement('div');
  document.body.append(container);
  const dispose = render(
    () => (
      <StateProvider client={client}>
        <MemoryRouter history={history}>{routes()}</MemoryRouter>
      </StateProvider>
    ),
    container,
  );
  cleanups.push(() => client.close(), dispose);
  const connection = (): Promise<FakeConnection> =>
    server.waitFor(() => server.connections.find((c) => !known.has(c) && [...c.subscriptions.values()].includes('statehouse.state')));
  return { client, container, history, log, connection };
}

/**
 * For a test file whose calls all answer an empty envelope: starts a fake
 * server before its tests, runs the `cleanups` its mounts leave after each
 * test (newest first) and empties the page, and stops the server after the
 * last one. `answer` replies to the calls (default: `null` to every one).
 *
 * @example
 * const fake = fakeServerPerFile();
 * test('…', () => mountOnFakeServer(fake.server, routes, '/', fake.cleanups));
 */
export function fakeServerPerFile(answer: FakeHandler = () => ({ data: { data: null, delta: {}, actions: [] } })): {
  readonly server: FakeTrpcServer;
  cleanups: (() => unknown)[];
} {
  let server: FakeTrpcServer | null = null;
  const cleanups: (() => unknown)[] = [];
  beforeAll(() => {
    server = startFakeTrpcServer(answer);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    document.body.innerHTML = '';
  });
  afterAll(() => server?.stop());
  return {
    get server(): FakeTrpcServer {
      if (!server) throw new Error('the fake server starts before the tests');
      return server;
    },
    cleanups,
  };
}
