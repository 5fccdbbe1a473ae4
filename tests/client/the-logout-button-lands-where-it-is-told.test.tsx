import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { render } from 'solid-js/web';
import { LogoutButton } from '../../client/auth';
import { createStateClient } from '../../client/state/client';
import { StateProvider } from '../../client/state/context';
import type { SliceMap } from '../../client/state/store';
import { createFakeFetch, createFakeLocation, createMemoryStorage, type EventLog } from './browser-fakes';
import { startFakeTrpcServer, type FakeTrpcServer } from './fake-trpc-server';

/** The fake server answers `auth.logout` as Statehouse does: `clearAuthThenNavigate` to the call's `to`, else the login page. */
let server: FakeTrpcServer;
const cleanups: (() => unknown)[] = [];

beforeAll(() => {
  server = startFakeTrpcServer((call) => {
    const to = (call.input as { to?: string } | undefined)?.to ?? '/login';
    return { data: { data: null, delta: {}, actions: [{ type: 'clearAuthThenNavigate', to, preserveStorageKeys: [] }] } };
  });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
});
afterAll(() => server.stop());

function mount(to?: string) {
  const log: EventLog = [];
  const client = createStateClient<never, SliceMap>({
    url: server.url,
    WebSocket: globalThis.__native.WebSocket,
    location: createFakeLocation('http://app.test/settings', log),
    fetch: createFakeFetch(log).fetch,
    sessionStorage: createMemoryStorage('sessionStorage', log),
    localStorage: createMemoryStorage('localStorage', log),
    toastDurationMs: 0,
  });
  const container = document.createElement('div');
  document.body.append(container);
  const dispose = render(
    () => <StateProvider client={client}>{to === undefined ? <LogoutButton /> : <LogoutButton to={to} />}</StateProvider>,
    container,
  );
  cleanups.push(() => client.close(), dispose);
  return { container, log };
}

describe('<LogoutButton />', () => {
  test('with `to`, asks the server to land there, and the tab goes there once signed out', async () => {
    const calls = server.calls.length;
    const { container, log } = mount('/goodbye');
    container.querySelector('button')!.click();
    await server.waitFor(() => log.includes('replace http://app.test/goodbye'));
    expect(server.calls.slice(calls).map((c) => [c.path, c.input])).toEqual([['auth.logout', { to: '/goodbye' }]]);
  });

  test('without `to`, leaves the landing page to the server', async () => {
    const calls = server.calls.length;
    const { container, log } = mount();
    container.querySelector('button')!.click();
    await server.waitFor(() => log.includes('replace http://app.test/login'));
    expect(server.calls.slice(calls).map((c) => [c.path, c.input])).toEqual([['auth.logout', undefined]]);
  });
});
