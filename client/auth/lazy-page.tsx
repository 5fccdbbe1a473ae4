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
 * The component's `preload()` starts the fetch without showing anything.
 * `<Router>` calls it when the mouse pointer rests on a link to the page
 * (20 ms), so the chunk is usually in by the click. (The router's focus and
 * touch handlers never get that far: they test the event's `button`, which
 * only mouse events carry.)
 *
 * @example
 * const SettingsPage = lazyPage(() => import('./settings-page').then((m) => m.SettingsPage));
 * <Route path="/settings" component={loginRequired(SettingsPage)} />
 */
export function lazyPage<P extends object>(load: () => Promise<Component<P>>): LazyPage<P> {
  const Page = lazy(() => load().then((component) => ({ default: component })));
  const LazyPage = (props: P): JSX.Element => {
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
  // A failed fetch is the page's to show when it renders; a preload that fails says nothing.
  return Object.assign(LazyPage, { preload: () => Page.preload().then(noop, noop) });
}

const noop = (): void => {};

/** A page component whose code is fetched on first use, with a way to fetch it earlier. */
export type LazyPage<P extends object> = Component<P> & {
  /** Starts fetching the page's code (once: later calls share the fetch); never rejects. */
  preload: () => Promise<void>;
};

/**
 * `component` as a route component that preloads what `from` preloads: for
 * a route component wrapping a {@link lazyPage} (a guard, props of its own),
 * so that a link to the route still fetches the page's code on hover.
 * Without a `preload` on `from`, `component` itself.
 *
 * @example
 * <Route path="/users" component={withPreload(() => <UsersPage base={base} />, UsersPage)} />
 */
export function withPreload<P extends object>(component: Component<P>, from: object): Component<P> {
  if (!('preload' in from) || typeof from.preload !== 'function') return component;
  const preload = from.preload;
  return Object.assign((props: P) => component(props), { preload: () => Promise.resolve(preload()).then(noop, noop) });
}
