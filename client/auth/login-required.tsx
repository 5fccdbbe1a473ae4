import type { Component, JSX } from 'solid-js';
import { RequireAuth } from './require-user';

export interface LoginRequiredOptions {
  /** Rendered for anonymous visitors instead of sending them to log in. */
  fallback?: JSX.Element;
}

/**
 * Wraps a page component so only signed-in users see it; anyone else goes
 * to `loginUrl?next=<this page>`. The page (and the calls it makes) is not
 * created until the visitor is known to be signed in.
 *
 * @example
 * <Route path="/notes" component={loginRequired(NotesPage)} />
 */
export function loginRequired<P extends object>(Page: Component<P>, options: LoginRequiredOptions = {}): Component<P> {
  return function LoginRequired(props: P): JSX.Element {
    return (
      <RequireAuth fallback={options.fallback}>
        <Page {...props} />
      </RequireAuth>
    );
  };
}
