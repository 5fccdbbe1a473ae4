import { Route, Router, type RouteSectionProps } from '@solidjs/router';
import { createEffect, type JSX } from 'solid-js';
import type { AppRouter } from '../../server/app/router';
import { AdminRoutes } from '../admin';
import { AuthRoutes, lazyPage, loginRequired, type RegisterField } from '../auth';
import { type StateClient, StateProvider, useAuth } from '../state';
import type { AppSlices } from './app-state';
import { NotFoundPage } from './not-found-page';
import { Shell } from './shell';

// Pages fetched the first time one is shown. The dashboard is the home page
// and where sign-in lands: its chunk is also fetched as soon as the visitor
// is signed in, so the redirect after sign-in does not wait for it.
const loadDashboard = () => import('./dashboard-page').then((m) => m.DashboardPage);
const DashboardPage = lazyPage(loadDashboard);
const NotesPage = lazyPage(() => import('./notes-page').then((m) => m.NotesPage));
const SettingsPage = lazyPage(() => import('./settings-page').then((m) => m.SettingsPage));

/** The app's own sign-up field (its user model's `registration`). */
const REGISTER_FIELDS: readonly RegisterField[] = [
  { name: 'displayName', label: 'Display name', autocomplete: 'nickname', hint: 'Optional.' },
];

/** The shell, fetching the dashboard's chunk once the visitor is signed in. */
function AppShell(props: RouteSectionProps): JSX.Element {
  const auth = useAuth();
  createEffect(() => {
    // A chunk that cannot load shows its alert when the page is shown; nothing to do here.
    if (auth.isAuthenticated) loadDashboard().catch(() => {});
  });
  return <Shell {...props} />;
}

export interface AppProps {
  client: StateClient<AppRouter, AppSlices>;
}

/**
 * The example app: the dashboard for everyone, notes and settings for
 * signed-in users, and the canned auth pages.
 *
 * @example
 * render(() => <App client={createStateClient<AppRouter, AppSlices>()} />, root);
 */
export function App(props: AppProps): JSX.Element {
  return (
    <StateProvider client={props.client}>
      <Router root={AppShell}>
        <Route path="/" component={DashboardPage} />
        <Route path="/notes" component={loginRequired(NotesPage)} />
        <Route path="/settings" component={loginRequired(SettingsPage)} />
        <AuthRoutes registerFields={REGISTER_FIELDS} />
        <AdminRoutes />
        <Route path="*404" component={NotFoundPage} />
      </Router>
    </StateProvider>
  );
}
