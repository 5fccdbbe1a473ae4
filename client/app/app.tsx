import { Route, Router } from '@solidjs/router';
import type { JSX } from 'solid-js';
import type { AppRouter } from '../../server/app/router';
import { AdminRoutes } from '../admin';
import { AuthRoutes, lazyPage, loginRequired, type RegisterField } from '../auth';
import { type StateClient, StateProvider } from '../state';
import type { AppSlices } from './app-state';
import { DashboardPage } from './dashboard-page';
import { NotFoundPage } from './not-found-page';
import { Shell } from './shell';

// Signed-in pages: their code is fetched the first time one is shown.
const NotesPage = lazyPage(() => import('./notes-page').then((m) => m.NotesPage));
const SettingsPage = lazyPage(() => import('./settings-page').then((m) => m.SettingsPage));

/** The app's own sign-up field (its user model's `registration`). */
const REGISTER_FIELDS: readonly RegisterField[] = [
  { name: 'displayName', label: 'Display name', autocomplete: 'nickname', hint: 'Optional.' },
];

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
      <Router root={Shell}>
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
