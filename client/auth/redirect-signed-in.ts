import { useLocation, useNavigate } from '@solidjs/router';
import { createEffect, type Accessor } from 'solid-js';
import { useAuth } from '../state/context';
import { safeNextPath } from '../../server/shared';
import { useSite, useStateReady } from './site';

/**
 * Where a signed-in visitor of the login page goes: a safe `?next=` (never
 * the login page itself), else `loginRedirectUrl`.
 *
 * @example
 * redirectTargetOf('?next=%2Fnotes', '/login', '/'); // '/notes'
 */
export function redirectTargetOf(search: string, loginUrl: string, loginRedirectUrl: string): string {
  const next = safeNextPath(new URLSearchParams(search).get('next'));
  return next && new URL(next, 'http://x.invalid').pathname !== loginUrl ? next : loginRedirectUrl;
}

/**
 * Sends a visitor who is already signed in away from a login or sign-up
 * page, once the first push has told who they are. `paused` holds it back
 * while the page's own call signs someone in (that call navigates itself).
 *
 * @example
 * const form = createFormState(t);
 * useRedirectIfSignedIn(form.busy);
 */
export function useRedirectIfSignedIn(paused: Accessor<boolean>): void {
  const auth = useAuth();
  const site = useSite();
  const ready = useStateReady();
  const location = useLocation();
  const navigate = useNavigate();
  createEffect(() => {
    if (!ready() || !auth.isAuthenticated || paused()) return;
    navigate(redirectTargetOf(location.search, site().loginUrl, site().loginRedirectUrl), { replace: true });
  });
}
