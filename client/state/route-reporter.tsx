import { useLocation, useNavigate } from '@solidjs/router';
import { createEffect, on, onCleanup, type JSX } from 'solid-js';
import { useStateClient } from './context';

/**
 * Keeps the server's route mirror in step with the router, and lets
 * `navigate` client actions go through the router instead of a page load.
 * Place it once inside `<Router>`'s root component; it renders nothing.
 *
 * @example
 * <Router root={(props) => <><RouteReporter />{props.children}</>}>{routes}</Router>
 */
export function RouteReporter(): JSX.Element {
  const client = useStateClient();
  const navigate = useNavigate();
  const location = useLocation();

  onCleanup(client.setNavigate((to, options) => navigate(to, { replace: options?.replace ?? false })));

  createEffect(
    on(
      () => [location.pathname, location.search] as const,
      ([path, search]) => {
        client.reportRoute(path, search).catch((error: unknown) => {
          console.warn('statehouse: could not report the route', error);
        });
      },
    ),
  );

  return null;
}
