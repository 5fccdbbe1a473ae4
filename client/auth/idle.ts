import { onCleanup } from 'solid-js';

/**
 * Runs `task` once the browser is idle (`requestIdleCallback`; Safari has
 * none, so a second later there), unless the calling computation is cleaned
 * up first. For fetching a chunk a signed-in user will likely need, without
 * competing with the page being shown.
 *
 * @example
 * createEffect(() => {
 *   if (auth.isAuthenticated) whenIdle(() => void loadForm().catch(() => {}));
 * });
 */
export function whenIdle(task: () => void): void {
  if (typeof globalThis.requestIdleCallback === 'function') {
    const handle = globalThis.requestIdleCallback(() => task());
    onCleanup(() => globalThis.cancelIdleCallback(handle));
  } else {
    const handle = setTimeout(task, 1_000);
    onCleanup(() => clearTimeout(handle));
  }
}
