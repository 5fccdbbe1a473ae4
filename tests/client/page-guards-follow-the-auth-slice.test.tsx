import { describe, expect, test } from 'bun:test';
import { Route } from '@solidjs/router';
import type { JSX } from 'solid-js';
import { DEFAULT_SITE, loginRequired, RequireAuth, RequireGroup, RequireStaff, RequireSuperuser } from '../../client/auth';
import { fakeServerPerFile, mountOnFakeServer } from './mount-on-fake-server';
import { ANONYMOUS_SNAPSHOT, type AuthSnapshot, type SiteSnapshot } from '../../server/state/protocol';
import type { FakeConnection } from './fake-trpc-server';

/** Page guards choose what renders from the live `auth` slice, and wait for the first push. */
const fake = fakeServerPerFile();

const SITE: SiteSnapshot = { ...DEFAULT_SITE, siteName: 'Test site' };

const ADA: AuthSnapshot = { ...ANONYMOUS_SNAPSHOT, userId: 1, username: 'ada', isAuthenticated: true };

function mount(routes: () => JSX.Element, start: string) {
  const { client, container, history, connection } = mountOnFakeServer(fake.server, routes, start, fake.cleanups);
  const firstPush = async (auth: AuthSnapshot, site: SiteSnapshot = SITE): Promise<FakeConnection> => {
    const conn = await connection();
    conn.push('statehouse.state', { full: true, delta: { auth, site, i18n: { language: 'en', dir: 'ltr' } }, actions: [] });
    return conn;
  };
  return { client, container, history, firstPush };
}

const Secret = () => <p data-testid="secret">secret</p>;
const LoginStub = () => <p data-testid="login">login page</p>;
const shown = (container: HTMLElement, id: string): boolean => container.querySelector(`[data-testid="${id}"]`) !== null;

describe('RequireAuth and loginRequired', () => {
  test('wait for the first push, then send an anonymous visitor to loginUrl?next=<path and query>', async () => {
    const { container, history, firstPush } = mount(
      () => (
        <>
          <Route
            path="/notes"
            component={() => (
              <RequireAuth pending={<p data-testid="pending">…</p>}>
                <Secret />
              </RequireAuth>
            )}
          />
          <Route path="/login" component={LoginStub} />
        </>
      ),
      '/notes?sort=new',
    );
    expect(shown(container, 'pending')).toBe(true);
    expect(history.get()).toBe('/notes?sort=new');

    await firstPush(ANONYMOUS_SNAPSHOT);
    await fake.server.waitFor(() => shown(container, 'login'));
    expect(history.get()).toBe('/login?next=%2Fnotes%3Fsort%3Dnew');
    expect(shown(container, 'secret')).toBe(false);
  });

  test('render the page for a signed-in user, and take it away when a push signs them out', async () => {
    const { container, history, firstPush } = mount(
      () => (
        <>
          <Route path="/notes" component={loginRequired(Secret)} />
          <Route path="/login" component={LoginStub} />
        </>
      ),
      '/notes',
    );
    const conn = await firstPush(ADA);
    await fake.server.waitFor(() => shown(container, 'secret'));
    conn.push('statehouse.state', { delta: { auth: { ...ANONYMOUS_SNAPSHOT } }, actions: [] });
    await fake.server.waitFor(() => shown(container, 'login'));
    expect(history.get()).toBe('/login?next=%2Fnotes');
  });

  test('a fallback renders instead of a redirect', async () => {
    const { container, history, firstPush } = mount(
      () => (
        <Route
          path="/notes"
          component={() => (
            <RequireAuth fallback={<p data-testid="fallback">sign in first</p>}>
              <Secret />
            </RequireAuth>
          )}
        />
      ),
      '/notes',
    );
    await firstPush(ANONYMOUS_SNAPSHOT);
    await fake.server.waitFor(() => shown(container, 'fallback'));
    expect(history.get()).toBe('/notes');
  });
});

describe('fallbacks', () => {
  test('loginRequired(Page, { fallback }) renders it for anonymous visitors', async () => {
    const { container, history, firstPush } = mount(
      () => <Route path="/notes" component={loginRequired(Secret, { fallback: () => <p data-testid="fallback">sign in</p> })} />,
      '/notes',
    );
    await firstPush(ANONYMOUS_SNAPSHOT);
    await fake.server.waitFor(() => shown(container, 'fallback'));
    expect(history.get()).toBe('/notes');
  });

  test('a fallback is not even created while the visitor passes', async () => {
    let created = 0;
    const Fallback = (): JSX.Element => {
      created++;
      return <p data-testid="fallback">no</p>;
    };
    const { container, firstPush } = mount(
      () => (
        <Route
          path="/notes"
          component={() => (
            <RequireAuth fallback={<Fallback />}>
              <Secret />
            </RequireAuth>
          )}
        />
      ),
      '/notes',
    );
    await firstPush(ADA);
    await fake.server.waitFor(() => shown(container, 'secret'));
    expect(created).toBe(0);
  });
});

describe('RequireStaff, RequireSuperuser and RequireGroup', () => {
  const guarded = () => (
    <>
      <Route
        path="/staff"
        component={() => (
          <RequireStaff>
            <p data-testid="staff">staff</p>
          </RequireStaff>
        )}
      />
      <Route
        path="/root"
        component={() => (
          <RequireSuperuser fallback={<p data-testid="not-root">no</p>}>
            <p data-testid="root">root</p>
          </RequireSuperuser>
        )}
      />
      <Route
        path="/editors"
        component={() => (
          <RequireGroup name="editors">
            <p data-testid="editors">editors</p>
          </RequireGroup>
        )}
      />
      <Route path="/login" component={LoginStub} />
    </>
  );

  test('a signed-in user without the trait sees a refusal (or the fallback), never the login page', async () => {
    const staff = mount(guarded, '/staff');
    await staff.firstPush(ADA);
    await fake.server.waitFor(() => staff.container.textContent?.includes('You do not have permission to do that.'));
    expect(staff.history.get()).toBe('/staff');

    const root = mount(guarded, '/root');
    await root.firstPush({ ...ADA, isStaff: true });
    await fake.server.waitFor(() => shown(root.container, 'not-root'));
  });

  test('staff, superusers and group members pass; groups come from the snapshot', async () => {
    const staff = mount(guarded, '/staff');
    await staff.firstPush({ ...ADA, isStaff: true });
    await fake.server.waitFor(() => shown(staff.container, 'staff'));

    const member = mount(guarded, '/editors');
    await member.firstPush({ ...ADA, groupNames: ['editors'] });
    await fake.server.waitFor(() => shown(member.container, 'editors'));

    const superuser = mount(guarded, '/editors');
    await superuser.firstPush({ ...ADA, isSuperuser: true });
    await fake.server.waitFor(() => shown(superuser.container, 'editors'));
  });

  test('anonymous visitors of a role guard are sent to log in', async () => {
    const { container, history, firstPush } = mount(guarded, '/editors');
    await firstPush(ANONYMOUS_SNAPSHOT);
    await fake.server.waitFor(() => shown(container, 'login'));
    expect(history.get()).toBe('/login?next=%2Feditors');
  });
});
