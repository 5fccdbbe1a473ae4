import { useLocation } from '@solidjs/router';
import { createEffect, on } from 'solid-js';
import { useApp } from './app-state';

/**
 * Reports each view of the page (path and query) with `dashboard.visit`:
 * the server keeps the last page in the session and sets the dashboard's tab
 * from `?tab=`. The route is reported first, so the server reads the query
 * of this very view.
 *
 * @example
 * useVisit();
 */
export function useVisit(): void {
  const app = useApp();
  const location = useLocation();
  createEffect(
    on(
      () => [location.pathname, location.search] as const,
      ([path, search]) => {
        app
          .reportRoute(path, search)
          // The path as the route mirror has it: no one-time token in a frame.
          .then(() => app.trpc.dashboard.visit.mutate({ path: app.redactPath(path) + search }))
          .catch((error: unknown) => console.warn('could not report the visit', error));
      },
    ),
  );
}
