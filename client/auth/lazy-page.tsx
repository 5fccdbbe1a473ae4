import { createResource, lazy, Match, Suspense, Switch, type Component, type JSX } from 'solid-js';
import { useAuthMessages } from './auth-context';

/**
 * A page whose code is fetched the first time it is shown (a chunk of its
 * own, through the dynamic `import()` in `load`), so the bundle a first visit
 * downloads stays small. While the chunk loads a `<Suspense>` shows
 * **Loading…** (`role="status"`); a chunk that cannot load (the server was
 * redeployed with new hashes, the network dropped) shows a message asking
 * for a reload instead of a blank page.
 *
 * Only the code suspends the boundary: the page renders beside it, so its
 * own resources behave as they would in a statically imported page (a
 * refetch does not swap the page for **Loading…**).
 *
 * @example
 * const SettingsPage = lazyPage(() => import('./settings-page').then((m) => m.SettingsPage));
 * <Route path="/settings" component={loginRequired(SettingsPage)} />
 */
export function lazyPage<P extends object>(load: () => Promise<Component<P>>): Component<P> {
  const Page = lazy(() => load().then((component) => ({ default: component })));
  return function LazyPage(props: P): JSX.Element {
    const t = useAuthMessages();
    const [code] = createResource(() => Page.preload());
    return (
      <Switch
        fallback={
          <Suspense
            fallback={
              <p class="sh-page-loading" role="status">
                {t().loadingPage}
              </p>
            }
          >
            {/* Reading the resource suspends this boundary until the chunk is in (a failed one is the alert's). */}
            {void (code.error ? undefined : code())}
          </Suspense>
        }
      >
        <Match when={code.state === 'ready'}>
          <Page {...props} />
        </Match>
        <Match when={code.state === 'errored'}>
          <p class="sh-page-loading" role="alert">
            {t().pageLoadFailed}
          </p>
        </Match>
      </Switch>
    );
  };
}
