import { For, Match, Show, Switch, type JSX } from 'solid-js';
import { useSite, useStateReady } from '../auth';
import { useAuth, useConnectionStatus } from '../state';
import { useApp } from './app-state';
import { usePageTitle } from './page-title';
import { useVisit } from './use-visit';

/** The dashboard's tabs, in order; the server accepts the same names in `?tab=`. */
export const DASHBOARD_TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'activity', label: 'Activity' },
  { id: 'help', label: 'Help' },
] as const;

/**
 * `/`: a greeting, the last page visited in this session, and three tabs
 * chosen by `?tab=` (the server reads it from the route mirror in
 * `dashboard.visit`).
 */
export function DashboardPage(): JSX.Element {
  const app = useApp();
  const auth = useAuth();
  const site = useSite();
  const ready = useStateReady();
  const status = useConnectionStatus();
  const dashboard = app.slices.dashboard;
  usePageTitle('Dashboard');
  useVisit();

  return (
    <section class="page" aria-labelledby="dashboard-title">
      <header class="page-header">
        <h1 id="dashboard-title">Dashboard</h1>
        <p class="lead">
          <Show when={auth.isAuthenticated} fallback={`Welcome to ${site().siteName}. Sign in to keep private notes.`}>
            Welcome back, <strong>{auth.username}</strong>.
          </Show>
        </p>
      </header>

      <Show when={auth.isAuthenticated && dashboard.lastPath}>
        <p class="callout" data-testid="last-visited">
          Last time you were on <a href={dashboard.lastPath}>{dashboard.lastPath}</a>.
        </p>
      </Show>

      <nav class="tabs" aria-label="Dashboard sections">
        <For each={DASHBOARD_TABS}>
          {(tab) => (
            <a class="tab" href={`/?tab=${tab.id}`} aria-current={dashboard.tab === tab.id ? 'page' : undefined}>
              {tab.label}
            </a>
          )}
        </For>
      </nav>

      <div class="tab-panel">
        <Switch>
          <Match when={dashboard.tab === 'activity'}>
            <div class="card">
              <h2>Activity</h2>
              <Show when={auth.isAuthenticated} fallback={<p>Sign in to see where you were last time.</p>}>
                <p>
                  Each page you open is kept in your session, so it survives reloads and new tabs.
                  <Show when={dashboard.lastPath} fallback=" This is your first page in this session.">
                    {' '}
                    Before this page you were on <code>{dashboard.lastPath}</code>.
                  </Show>
                </p>
                <p>
                  Your open sessions are listed in <a href="/settings">Settings</a>, where you can sign out of the others.
                </p>
              </Show>
            </div>
          </Match>
          <Match when={dashboard.tab === 'help'}>
            <div class="card">
              <h2>Help</h2>
              <ul class="help-list">
                <li>
                  Run <code>bun run db:seed</code> for two demo users: <code>alice</code> / <code>alice-demo-pass</code> (staff, may delete
                  notes) and <code>bob</code> / <code>bob-demo-pass</code>.
                </li>
                <li>Open two tabs, log out in one: the other follows within a second.</li>
                <li>Forgot a password? The reset link goes to the mail backend (the server console by default).</li>
              </ul>
            </div>
          </Match>
          <Match when={true}>
            <div class="card-grid">
              <div class="card">
                <h2>Your notes</h2>
                <Show when={auth.isAuthenticated} fallback={<p>Notes are private to each account.</p>}>
                  <p>Private to your account: add, edit and delete them.</p>
                  <a class="button" href="/notes">
                    Open notes
                  </a>
                </Show>
                <Show when={ready() && !auth.isAuthenticated}>
                  <a class="button" href={site().loginUrl}>
                    Sign in
                  </a>
                </Show>
              </div>
              <div class="card">
                <h2>This tab</h2>
                <p>
                  One WebSocket carries every action of this tab. Connection:{' '}
                  <span class="status" data-status={status()}>
                    {status()}
                  </span>
                </p>
              </div>
            </div>
          </Match>
        </Switch>
      </div>
    </section>
  );
}
