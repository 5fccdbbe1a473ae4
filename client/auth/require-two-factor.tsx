import { createResource, Show, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthMessages } from './auth-context';
import { RequireAuth, type GuardProps } from './require-user';

/**
 * The page twin of the server's `twoFactorRequired()`: renders its children
 * for a signed-in user with two-factor on. Anonymous visitors go to log in;
 * others see `fallback`, else "Turn on two-factor authentication to
 * continue." Whether two-factor is on is not in the `auth` snapshot: it is
 * asked once (`auth.twoFactorStatus`). As every page guard, it chooses what
 * renders; the procedures behind it need `twoFactorRequired()` themselves.
 *
 * @example
 * <RequireTwoFactor fallback={<A href="/settings">Turn on two-factor first</A>}><Payouts /></RequireTwoFactor>
 */
export function RequireTwoFactor(props: GuardProps): JSX.Element {
  return (
    <RequireAuth pending={props.pending}>
      <TwoFactorGate {...props} />
    </RequireAuth>
  );
}

function TwoFactorGate(props: GuardProps): JSX.Element {
  const trpc = useAuthClient();
  const t = useAuthMessages();
  const [status] = createResource(() => trpc.auth.twoFactorStatus.query());
  return (
    <Show when={!status.loading} fallback={props.pending}>
      <Show when={status()?.enabled} fallback={'fallback' in props ? props.fallback : <p class="sh-form-alert">{t().twoFactorRequired}</p>}>
        {props.children}
      </Show>
    </Show>
  );
}
