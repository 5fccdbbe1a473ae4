import { describe, expect, spyOn, test } from 'bun:test';
import { Route } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { AdminRouteTable } from '../../client/admin/admin-route-table';
import { createAdminRoutes, type AdminRouteTableComponent } from '../../client/admin/admin-routes';
import { ANONYMOUS_SNAPSHOT } from '../../server/state/protocol';
import { eventually } from '../helpers/wait-for';
import { answerAdminReads, ROOT } from './admin-fixtures';
import { fakeServerPerFile, mountOnFakeServer } from './mount-on-fake-server';

/**
 * The console's route table is a chunk fetched on first need: a deep link
 * shows Loading… until it is in, then the page it names; a table that cannot
 * load shows the lazy pages' alert, and the next visit tries again; staff
 * fetch it before they ask for it.
 */
spyOn(console, 'error').mockImplementation(() => undefined);
const fake = fakeServerPerFile(answerAdminReads);

const SITE = { siteName: 'Test site', loginUrl: '/login', messages: {}, languages: ['en'] };
const ALICE = { ...ANONYMOUS_SNAPSHOT, userId: 2, username: 'alice', isAuthenticated: true };

/** An `AdminRoutes` whose table's chunk the test delivers (or fails) when it chooses; `asked` counts the fetches. */
function deferredTable() {
  const asked: ((outcome: AdminRouteTableComponent | Error) => void)[] = [];
  const AdminRoutes = createAdminRoutes(
    () =>
      new Promise<AdminRouteTableComponent>((resolve, reject) => {
        asked.push((outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)));
      }),
  );
  return { AdminRoutes, asked };
}

async function mount(AdminRoutes: ReturnType<typeof deferredTable>['AdminRoutes'], start: string, auth = ROOT) {
  const routes = () => (
    <>
      <Route path="/" component={() => <p data-testid="home">home</p>} />
      <AdminRoutes />
    </>
  );
  const mounted = mountOnFakeServer(fake.server, routes, start, fake.cleanups);
  (await mounted.connection()).push('statehouse.state', {
    full: true,
    delta: { auth, site: SITE, i18n: { language: 'en', dir: 'ltr' }, admin: { revision: 0 } },
    actions: [],
  });
  return mounted;
}

const text = (container: HTMLElement, selector: string): string | null => container.querySelector(selector)?.textContent ?? null;

describe('AdminRoutes', () => {
  test('a first load of a deep link shows Loading… until the table is in, then the page it names', async () => {
    const { AdminRoutes, asked } = deferredTable();
    const { container } = await mount(AdminRoutes, '/admin/users/5');
    await eventually(() => expect(asked).toHaveLength(1));
    expect(text(container, '[role="status"]')).toBe('Loading…');
    asked[0]!(AdminRouteTable);
    await eventually(() => expect(text(container, '#user-title')).toBe('bob'));
    expect(container.querySelector('.sh-page-loading')).toBeNull();
  });

  test('a first load of /admin opens Users once the table is in', async () => {
    const { AdminRoutes, asked } = deferredTable();
    const { container, history } = await mount(AdminRoutes, '/admin');
    await eventually(() => expect(asked).toHaveLength(1));
    asked[0]!(AdminRouteTable);
    await eventually(() => expect(history.get()).toBe('/admin/users'));
    await eventually(() => expect(container.querySelector('.admin-pager')).not.toBeNull());
  });

  test('a table that cannot load shows the alert; the next visit tries again and shows the console', async () => {
    const { AdminRoutes, asked } = deferredTable();
    const { container, history } = await mount(AdminRoutes, '/admin/users/5', ALICE);
    await eventually(() => expect(asked).toHaveLength(1));
    asked[0]!(new Error('Failed to fetch dynamically imported module'));
    await eventually(() => expect(text(container, '[role="alert"]')).toBe('This page could not be loaded. Reload to try again.'));
    history.set({ value: '/' });
    await eventually(() => expect(text(container, '[data-testid="home"]')).toBe('home'));
    history.set({ value: '/admin/users/5' });
    await eventually(() => expect(asked).toHaveLength(2));
    asked[1]!(AdminRouteTable);
    // Alice is no staff: the console's frame refuses her, which is the table's page, not the placeholder's alert.
    await eventually(() => expect(text(container, '.admin-refused')).toBe('Only staff members can open the admin.'));
    expect(container.querySelector('[role="alert"]')).toBeNull();
  });

  test('staff fetch the table while idle, so following the Admin link waits for no table', async () => {
    const { AdminRoutes, asked } = deferredTable();
    const { container, history } = await mount(AdminRoutes, '/');
    await eventually(() => expect(asked).toHaveLength(1));
    asked[0]!(AdminRouteTable);
    await Promise.resolve();
    history.set({ value: '/admin/users/5' });
    await eventually(() => expect(text(container, '#user-title')).toBe('bob'));
    expect(asked).toHaveLength(1);
  });

  test('a signed-in user who is not staff does not fetch the table until they visit', async () => {
    const { AdminRoutes, asked } = deferredTable();
    const { container } = await mount(AdminRoutes, '/', ALICE);
    await Bun.sleep(1_200);
    expect(asked).toHaveLength(0);
    expect(text(container, '[data-testid="home"]')).toBe('home');
  });

  test('the console stays mounted when another of the router’s routes changes', async () => {
    const { AdminRoutes, asked } = deferredTable();
    const [extra, setExtra] = createSignal(false);
    const routes = () => (
      <>
        <Show when={extra()}>
          <Route path="/extra" component={() => <p>extra</p>} />
        </Show>
        <AdminRoutes />
      </>
    );
    const mounted = mountOnFakeServer(fake.server, routes, '/admin/users/5', fake.cleanups);
    (await mounted.connection()).push('statehouse.state', {
      full: true,
      delta: { auth: ROOT, site: SITE, i18n: { language: 'en', dir: 'ltr' }, admin: { revision: 0 } },
      actions: [],
    });
    await eventually(() => expect(asked).toHaveLength(1));
    asked[0]!(AdminRouteTable);
    await eventually(() => expect(text(mounted.container, '#user-title')).toBe('bob'));
    const title = mounted.container.querySelector('#user-title');
    const fetched = () => fake.server.calls.filter((call) => call.path === 'admin.users.get').length;
    const before = fetched();
    setExtra(true);
    setExtra(false);
    await Bun.sleep(50);
    expect(mounted.container.querySelector('#user-title')).toBe(title);
    expect(fetched()).toBe(before);
  });

  test('the pointer resting on a link into the console fetches the table before the click', async () => {
    const { AdminRoutes, asked } = deferredTable();
    const routes = () => (
      <>
        <Route path="/" component={() => <a href="/admin/users">Admin</a>} />
        <AdminRoutes />
      </>
    );
    const mounted = mountOnFakeServer(fake.server, routes, '/', fake.cleanups);
    // Anonymous: no idle prefetch, only the pointer's.
    (await mounted.connection()).push('statehouse.state', {
      full: true,
      delta: { auth: ANONYMOUS_SNAPSHOT, site: SITE, i18n: { language: 'en', dir: 'ltr' } },
      actions: [],
    });
    await eventually(() => expect(mounted.container.querySelector('a')).not.toBeNull());
    expect(asked).toHaveLength(0);
    mounted.container.querySelector('a')!.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, button: 0 }));
    await eventually(() => expect(asked).toHaveLength(1));
  });
});
