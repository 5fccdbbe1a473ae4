import { A } from '@solidjs/router';
import { Show, type JSX } from 'solid-js';
import { LogoutButton, useSite, useStateReady } from '../auth';
import { useAuth } from '../state';

/**
 * The top bar: the site's name, the pages, and who is signed in (with a
 * Staff badge and "Log out"), or links to sign in and to create an account.
 */
export function Navbar(): JSX.Element {
  const auth = useAuth();
  const site = useSite();
  const ready = useStateReady();
  return (
    <header class="navbar">
      <nav class="navbar-inner" aria-label="Main">
        <A class="brand" href="/" end>
          <span class="brand-mark" aria-hidden="true" />
          {site().siteName}
        </A>
        <ul class="nav-links">
          <li>
            <A href="/" end>
              Dashboard
            </A>
          </li>
          <Show when={auth.isAuthenticated}>
            <li>
              <A href="/notes">Notes</A>
            </li>
            <li>
              <A href="/settings">Settings</A>
            </li>
          </Show>
          <Show when={auth.isStaff}>
            <li>
              <A href="/admin">Admin</A>
            </li>
          </Show>
        </ul>
        <div class="nav-user">
          <Show when={ready()}>
            <Show
              when={auth.isAuthenticated}
              fallback={
                <>
                  <A class="nav-signin" href={site().loginUrl}>
                    Sign in
                  </A>
                  <Show when={site().signupEnabled}>
                    <A class="button button-small" href={site().signupUrl}>
                      Create account
                    </A>
                  </Show>
                </>
              }
            >
              <Show when={auth.isStaff}>
                <span class="badge" title="Staff member">
                  Staff
                </span>
              </Show>
              <span class="nav-greeting">Hi, {auth.displayName || auth.username}</span>
              <LogoutButton class="button button-small button-quiet" />
            </Show>
          </Show>
        </div>
      </nav>
    </header>
  );
}
