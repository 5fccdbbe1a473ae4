import { createSignal, type JSX } from 'solid-js';
import { useToasts } from '../state/context';
import { useAuthClient } from './auth-client';
import { useAuthMessages } from './auth-context';

export interface LogoutButtonProps {
  /** @default 'sh-button sh-logout' */
  class?: string;
  /** The button's text. @default the `logOut` message ("Log out") */
  label?: string;
  /**
   * Where this tab lands once signed out: a path on this site.
   * @default the server's `auth.logoutRedirectUrl`, else `auth.loginUrl`
   */
  to?: string;
}

/**
 * A "Log out" button bound to live state: calls `auth.logout`, whose
 * `clearAuthThenNavigate` expires the cookie, clears storage and goes to the
 * login page (or `to`); every other tab of the session follows. Disabled and
 * `aria-busy` ("Logging out…") while the call is in flight.
 *
 * @example
 * <Show when={auth.isAuthenticated}><LogoutButton to="/goodbye" /></Show>
 */
export function LogoutButton(props: LogoutButtonProps): JSX.Element {
  const trpc = useAuthClient();
  const [, toasts] = useToasts();
  const t = useAuthMessages();
  const [busy, setBusy] = createSignal(false);
  const logout = async (): Promise<void> => {
    if (busy()) return;
    setBusy(true);
    try {
      await trpc.auth.logout.mutate(props.to === undefined ? undefined : { to: props.to });
    } catch {
      setBusy(false);
      toasts.show('error', t().somethingWentWrong);
    }
  };
  return (
    <button
      type="button"
      class={props.class ?? 'sh-button sh-logout'}
      disabled={busy()}
      aria-busy={busy() ? 'true' : 'false'}
      onClick={() => void logout()}
    >
      {busy() ? t().loggingOut : (props.label ?? t().logOut)}
    </button>
  );
}
