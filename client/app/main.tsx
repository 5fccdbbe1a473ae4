/**
 * Placeholder entry of the example app: a state client, the router with the
 * route mirror, toasts, and one page showing the auth snapshot.
 */
import { Route, Router, type RouteSectionProps } from '@solidjs/router';
import { render } from 'solid-js/web';
import { createStateClient, RouteReporter, StateProvider, Toaster, useAuth, useConnectionStatus } from '../state';

function Layout(props: RouteSectionProps) {
  return (
    <>
      <RouteReporter />
      <Toaster />
      <main>{props.children}</main>
    </>
  );
}

function Home() {
  const auth = useAuth();
  const status = useConnectionStatus();
  return (
    <section>
      <h1>Statehouse</h1>
      <p>{auth.isAuthenticated ? `Signed in as ${auth.username}` : 'Not signed in'}</p>
      <p role="status">Connection: {status()}</p>
    </section>
  );
}

const root = document.getElementById('root');
if (root) {
  const client = createStateClient();
  render(
    () => (
      <StateProvider client={client}>
        <Router root={Layout}>
          <Route path="*" component={Home} />
        </Router>
      </StateProvider>
    ),
    root,
  );
}
