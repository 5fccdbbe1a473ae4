import { createEffect } from 'solid-js';
import { useSite } from '../auth';

/**
 * Sets the document title to "<title> · <site name>" while the page shows.
 *
 * @example
 * usePageTitle('Notes');
 */
export function usePageTitle(title: string | (() => string)): void {
  const site = useSite();
  createEffect(() => {
    document.title = `${typeof title === 'function' ? title() : title} · ${site().siteName}`;
  });
}
