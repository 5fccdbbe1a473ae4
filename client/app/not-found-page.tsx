import type { JSX } from 'solid-js';
import { usePageTitle } from './page-title';

/** Any URL the app does not know. */
export function NotFoundPage(): JSX.Element {
  usePageTitle('Page not found');
  return (
    <section class="page page-narrow">
      <h1>Page not found</h1>
      <p class="lead">There is nothing at this address.</p>
      <p>
        <a class="button" href="/">
          Back to the dashboard
        </a>
      </p>
    </section>
  );
}
