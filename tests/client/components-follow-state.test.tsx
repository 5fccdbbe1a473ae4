import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { createMemoryHistory, MemoryRouter, Route, type RouteSectionProps } from '@solidjs/router';
import { For, type JSX } from 'solid-js';
import { render } from 'solid-js/web';
import { createStateClient } from '../../client/state/client';
import { StateProvider, useAuth, useConnectionStatus, useSlice, useStateClient, useToasts } from '../../client/state/context';
import { RouteReporter } from '../../client/state/route-reporter';
import type { SliceMap } from '../../client/state/store';
import { Toaster } from '../../client/state/toaster';
import { createFakeLocation, createMemoryStorage, type EventLog } from './browser-fakes';
import { startFakeTrpcServer, type FakeConnection, type FakeTrpcServer } from './fake-trpc-server';

type Dashboard = { tab: string; items: string[] };

let server: FakeTrpcServer;
const cleanups: (() => unknown)[] = [];

beforeAll(() => {
  server = startFakeTrpcServer((call) =>
    call.path === 'statehouse.route'
      ? { data: { delta: {}, actions: [] } }
      : { error: { message: 'No such procedure', code: -32004, data: { code: 'NOT_FOUND' } } },
  );
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  document.body.innerHTML = '';
});
afterAll(() => server.stop());

function mount(view: () => JSX.Element, href = 'http://app.test/start') {
  const log: EventLog = [];
  const known = new Set(server.connections);
  const client = createStateClient<never, SliceMap>({
    url: server.url,
    WebSocket: globalThis.__native.WebSocket,
    location: createFakeLocation(href, log),
    sessionStorage: createMemoryStorage('sessionStorage', log),
    localStorage: createMemoryStorage('localStorage', log),
    initialSlices: { dashboard: { tab: 'overview', items: [] } },
    toastDurationMs: 0,
  });
  const container = document.createElement('div');
  document.body.append(container);
  const dispose = render(() => <StateProvider client={client}>{view()}</StateProvider>, container);
  cleanups.push(() => client.close(), dispose);
  const connection = (): Promise<FakeConnection> =>
    server.waitFor(() => server.connections.find((c) => !known.has(c) && [...c.subscriptions.values()].includes('statehouse.state')));
  return { client, container, log, connection };
}

function DashboardView() {
  const dashboard = useSlice<Dashboard>('dashboard');
  const auth = useAuth();
  const status = useConnectionStatus();
  return (
    <div>
      <h2 data-testid="tab">{dashboard.tab}</h2>
      <ul>
        <For each={dashboard.items}>{(item) => <li>{item}</li>}</For>
      </ul>
      <p data-testid="user">{auth.isAuthenticated ? auth.username : 'anonymous'}</p>
      <p data-testid="status">{status()}</p>
    </div>
  );
}

const text = (container: HTMLElement, testId: string) => container.querySelector(`[data-testid="${testId}"]`)?.textContent;

describe('useSlice and useAuth', () => {
  test('a component re-renders when a delta arrives on the socket', async () => {
    const { client, container, connection } = mount(() => <DashboardView />);
    expect(text(container, 'tab')).toBe('overview');
    expect(text(container, 'user')).toBe('anonymous');

    const conn = await connection();
    conn.push('statehouse.state', { delta: { dashboard: { tab: 'notes', items: ['a', 'b'] } }, actions: [] });
    await server.waitFor(() => text(container, 'tab') === 'notes');
    expect([...container.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['a', 'b']);

    conn.push('statehouse.state', { delta: { auth: { isAuthenticated: true, username: 'ada' } }, actions: [] });
    await server.waitFor(() => text(container, 'user') === 'ada');
    await server.waitFor(() => text(container, 'status') === 'open');
    expect(client.slices.dashboard).toEqual({ tab: 'notes', items: ['a', 'b'] });
  });

  test('a full snapshot re-renders only what changed', async () => {
    const { container, connection } = mount(() => <DashboardView />);
    const heading = container.querySelector('[data-testid="tab"]');
    const conn = await connection();
    conn.push('statehouse.state', { full: true, delta: { dashboard: { tab: 'overview', items: ['x'] } }, actions: [] });
    await server.waitFor(() => container.querySelectorAll('li').length === 1);
    expect(container.querySelector('[data-testid="tab"]')).toBe(heading);
    expect(text(container, 'tab')).toBe('overview');
  });

  test('useSlice works for a slice the client has not heard of yet', async () => {
    function Notes() {
      const notes = useSlice<{ open?: number }>('notes');
      return <p data-testid="open">{notes.open ?? 'none'}</p>;
    }
    const { container, connection } = mount(() => <Notes />);
    expect(text(container, 'open')).toBe('none');
    (await connection()).push('statehouse.state', { delta: { notes: { open: 3 } }, actions: [] });
    await server.waitFor(() => text(container, 'open') === '3');
  });

  test('hooks outside a StateProvider say what is missing', () => {
    const container = document.createElement('div');
    expect(() => render(() => <p>{useStateClient().tabId}</p>, container)).toThrow(/StateProvider/);
  });
});

describe('<Toaster>', () => {
  test('renders toast messages as text, never as HTML', async () => {
    const attack = '<img src=x onerror="globalThis.__toastXss = true">';
    const { client, container } = mount(() => <Toaster />);
    client.toastActions.show('error', attack);
    await Promise.resolve();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('.statehouse-toast-message')?.textContent).toBe(attack);
    expect((globalThis as { __toastXss?: boolean }).__toastXss).toBeUndefined();
  });

  test('is a polite live region with an accessible dismiss button per toast', async () => {
    const { client, container } = mount(() => <Toaster />);
    const region = container.querySelector('section');
    expect(region?.getAttribute('aria-live')).toBe('polite');
    expect(region?.getAttribute('aria-label')).toBe('Notifications');

    client.toastActions.show('info', 'One');
    client.toastActions.show('success', 'Two');
    const buttons = [...container.querySelectorAll('button')];
    expect(buttons.map((b) => [b.getAttribute('type'), b.getAttribute('aria-label')])).toEqual([
      ['button', 'Dismiss notification'],
      ['button', 'Dismiss notification'],
    ]);
    buttons[0]?.click();
    expect([...container.querySelectorAll('.statehouse-toast-message')].map((p) => p.textContent)).toEqual(['Two']);
    expect(client.toasts.map((t) => t.message)).toEqual(['Two']);
  });

  test('shows the toast actions the server sends', async () => {
    function Count() {
      const [toasts] = useToasts();
      return <output>{toasts.length}</output>;
    }
    const { container, connection } = mount(() => (
      <>
        <Toaster />
        <Count />
      </>
    ));
    (await connection()).push('statehouse.state', {
      delta: {},
      actions: [{ type: 'toast', kind: 'warning', message: 'Your session ended in another tab.' }],
    });
    await server.waitFor(() => container.querySelector('output')?.textContent === '1');
    const toast = container.querySelector('.statehouse-toast');
    expect(toast?.getAttribute('data-kind')).toBe('warning');
    expect(toast?.textContent).toContain('Your session ended in another tab.');
  });
});

describe('<RouteReporter>', () => {
  function setup() {
    const history = createMemoryHistory();
    history.set({ value: '/start' });
    const Root = (props: RouteSectionProps) => (
      <>
        <RouteReporter />
        {props.children}
      </>
    );
    const mounted = mount(() => (
      <MemoryRouter history={history} root={Root}>
        <Route path="*" component={() => <p>page</p>} />
      </MemoryRouter>
    ));
    return { ...mounted, history };
  }

  test('reports every route change, but not the route the socket opened on', async () => {
    const { client, history, connection } = setup();
    const conn = await connection();
    await server.waitFor(() => client.status() === 'open');
    const reports = () => server.calls.filter((c) => c.connection === conn && c.path === 'statehouse.route').map((c) => c.input);
    history.set({ value: '/notes?page=2' });
    await server.waitFor(() => reports().length === 1);
    history.set({ value: '/settings' });
    await server.waitFor(() => reports().length === 2);
    expect(reports()).toEqual([
      { path: '/notes', query: '?page=2' },
      { path: '/settings', query: '' },
    ]);
  });

  test('a route change while the socket is still opening travels in the connection params', async () => {
    const { history, connection } = setup();
    history.set({ value: '/early?x=1' });
    const conn = await connection();
    expect(conn.params).toMatchObject({ path: '/early', query: '?x=1' });
    await Bun.sleep(30);
    expect(server.calls.filter((c) => c.connection === conn && c.path === 'statehouse.route')).toEqual([]);
  });

  test('navigate actions go through the router instead of reloading the page', async () => {
    const { client, history, log, connection } = setup();
    const conn = await connection();
    await server.waitFor(() => client.status() === 'open');
    await client.actions.run([{ type: 'navigate', to: '/notes/7' }]);
    expect(history.get()).toBe('/notes/7');
    expect(log).toEqual([]);
    await server.waitFor(() => server.calls.some((c) => c.connection === conn && (c.input as { path?: string }).path === '/notes/7'));
  });
});
