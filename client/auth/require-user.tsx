import { useLocation, useNavigate } from '@solidjs/router';
import { createEffect, createMemo, Match, Switch, type JSX } from 'solid-js';
import { useAuth, useStateClient } from '../state/context';
import { loginUrlWithNext, type AuthSnapshot } from '../../server/shared';
import { useAuthMessages } from './auth-context';
import { useSite, useStateReady } from './site';

/** What every page guard accepts. */
export interface GuardProps {
  /**
   * Rendered instead of the children when the visitor does not pass.
   * Without it, an anonymous visitor is sent to `loginUrl?next=<this page>`
   * and a signed-in one who lacks the right sees a short refusal.
   */
  fallback?: JSX.Element;
  /** Rendered until the server's first push says who the visitor is. @default nothing */
  pending?: JSX.Element;
  children?: JSX.Element;
}

export interface RequireUserProps extends GuardProps {
  /** Whether a signed-in user may see the children. */
  test: (auth: AuthSnapshot) => boolean;
}

type Verdict = 'pending' | 'pass' | 'anonymous' | 'denied';

/**
 * The guard the others are made of (Django's `user_passes_test`): renders
 * its children when the live `auth` slice is signed in and passes `test`.
 * It follows the slice, so a logout or revocation pushed from another tab
 * takes the page away at once. Guards only choose what renders; the
 * server's `authed()` / `can()` protect the data.
 *
 * @example
 * <RequireUser test={(auth) => auth.email.endsWith('@example.com')}><Reports /></RequireUser>
 */
export function RequireUser(props: RequireUserProps): JSX.Element {
  const auth = useAuth();
  const site = useSite();
  const ready = useStateReady();
  const location = useLocation();
  const navigate = useNavigate();
  const t = useAuthMessages();
  const leaving = useStateClient().actions.leaving;
  const verdict = createMemo<Verdict>(() => {
    if (!ready()) return 'pending';
    if (!auth.isAuthenticated) return 'anonymous';
    return props.test(auth) ? 'pass' : 'denied';
  });
  // Asked without reading `fallback`, which would create its elements.
  const hasFallback = (): boolean => 'fallback' in props;

  createEffect(() => {
    // A sign-out's own action takes the tab to the login page: no detour through this guard's redirect.
    if (verdict() !== 'anonymous' || hasFallback() || leaving()) return;
    navigate(loginUrlWithNext(site().loginUrl, location.pathname, location.search), { replace: true });
  });

  return (
    <Switch>
      <Match when={verdict() === 'pass'}>{props.children}</Match>
      <Match when={verdict() === 'pending'}>{props.pending}</Match>
      <Match when={hasFallback()}>{props.fallback}</Match>
      <Match when={verdict() === 'denied'}>
        <p class="sh-denied" role="alert">
          {t().permissionDenied}
        </p>
      </Match>
    </Switch>
  );
}

/**
 * Renders its children for a signed-in user; sends anyone else to
 * `loginUrl?next=<this page>` (or renders `fallback`).
 *
 * @example
 * <RequireAuth><NotesPage /></RequireAuth>
 * <RequireAuth fallback={<p>Please sign in to see your notes.</p>}><NotesList /></RequireAuth>
 */
export function RequireAuth(props: GuardProps): JSX.Element {
  return <RequireUser test={() => true} {...props} />;
}
