import type { Component, JSX } from 'solid-js';
import { withPreload } from './lazy-page';
import { RequireAuth } from './require-user';

export interface LoginRequiredOptions {
  /** Renders what anonymous visitors see instead of being sent to log in. */
  fallback?: () => JSX.Element;
}

/**
 * Wraps a page component so only signed-in users see it; anyone else goes
 * to `loginUrl?next=<this page>`. The page (and the calls it makes) is not
 * created until the visitor is known to be signed in. A {@link lazyPage}'s
 * `preload` is kept: a link to the page still fetches its code on hover, and
 * a signed-out visitor sent to sign in has it fetched meanwhile (the router
 * preloads a route it matches), so the page shows at once after sign-in.
 *
 * @example
 * <Route path="/notes" component={loginRequired(NotesPage)} />
 * <Route path="/inbox" component={loginRequired(Inbox, { fallback: () => <p>Sign in to read your mail.</p> })} />
 */
export function loginRequired<P extends object>(Page: Component<P>, options: LoginRequiredOptions = {}): Component<P> {
  return withPreload(function LoginRequired(props: P): JSX.Element {
    const { fallback: Fallback } = options;
    if (!Fallback) {
      return (
        <RequireAuth>
          <Page {...props} />
        </RequireAuth>
      );
    }
    return (
      <RequireAuth fallback={<Fallback />}>
        <Page {...props} />
      </RequireAuth>
    );
  }, Page);
}
