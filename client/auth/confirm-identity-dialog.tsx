import { createEffect, createSignal, onCleanup, Show, type Component, type JSX } from 'solid-js';
import type { ReauthMethod } from '../../server/shared';
import { useAuth, useStateClient } from '../state/context';
import { useAuthMessages } from './auth-context';
import type { ConfirmIdentityFormProps } from './confirm-identity-form';

/** One refusal being answered: the form to show, the methods it offers, and who waits for the answer. */
interface Request {
  Form: Component<ConfirmIdentityFormProps>;
  methods: readonly ReauthMethod[];
  settle: (confirmed: boolean) => void;
}

let formChunk: Promise<Component<ConfirmIdentityFormProps>> | null = null;

/** The dialog's form, fetched once; a failed fetch is tried again at the next refusal. */
function loadForm(): Promise<Component<ConfirmIdentityFormProps>> {
  formChunk ??= import('./confirm-identity-form').then(
    (m) => m.ConfirmIdentityForm,
    (error: unknown) => {
      formChunk = null;
      throw error;
    },
  );
  return formChunk;
}

/** How long a refused call waits for the dialog's form before it fails as refused. */
export const CONFIRM_FORM_TIMEOUT_MS = 8_000;

export interface ConfirmIdentityDialogProps {
  /** How long a refused call waits for the form's chunk before it fails as refused (default {@link CONFIRM_FORM_TIMEOUT_MS}). */
  formTimeoutMs?: number;
  /** Fetches the form (default: the canned form's chunk); an app may give its own. */
  loadForm?: () => Promise<Component<ConfirmIdentityFormProps>>;
}

/** `promise`, or a rejection once `ms` have passed without it. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not loaded within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The **Confirm it's you** dialog: mount it once (in the app's shell). It
 * answers the `confirmIdentity` action a `recentAuth()` refusal carries:
 * field **Password**, button **Confirm** (`auth.confirmIdentity`), or
 * **Cancel**; with a passkey among the user's methods also **Use a passkey**
 * (and no password field when a passkey is all they have). When the methods
 * include `totp` (two-factor is on), a link switches to field **Authentication
 * code**. Once confirmed, the refused call is sent again, once.
 *
 * The form is a chunk of its own, fetched when the browser is idle after a
 * signed-in first push, else at the first refusal (the refused call waits for
 * it, then for the user). When it cannot be loaded, or not within
 * `formTimeoutMs`, the call fails as refused and a toast says so; a dialog
 * unmounted meanwhile answers refused too, so the actions queued behind the
 * call go on.
 *
 * @example
 * <Router root={(props) => <><ConfirmIdentityDialog />{props.children}</>}>…</Router>
 */
export function ConfirmIdentityDialog(props: ConfirmIdentityDialogProps = {}): JSX.Element {
  const client = useStateClient();
  const auth = useAuth();
  const t = useAuthMessages();
  const [request, setRequest] = createSignal<Request | null>(null);
  const load = (): Promise<Component<ConfirmIdentityFormProps>> => (props.loadForm ?? loadForm)();
  let disposed = false;

  const close = (confirmed: boolean): void => {
    const current = request();
    setRequest(null);
    current?.settle(confirmed);
  };
  onCleanup(
    client.actions.setConfirmIdentity(async (offered) => {
      close(false);
      let Form: Component<ConfirmIdentityFormProps>;
      try {
        Form = await within(load(), props.formTimeoutMs ?? CONFIRM_FORM_TIMEOUT_MS);
      } catch (error) {
        console.error('statehouse: the "Confirm it\'s you" dialog could not be loaded', error);
        if (!disposed) client.toastActions.show('error', t().somethingWentWrong);
        return false;
      }
      // Unmounted while the form loaded: nobody can answer, and the actions queued behind the call wait for this one.
      if (disposed) return false;
      const methods: readonly ReauthMethod[] = offered.length > 0 ? offered : ['password'];
      return new Promise<boolean>((settle) => setRequest({ Form, methods, settle }));
    }),
  );
  onCleanup(() => {
    disposed = true;
    close(false);
  });
  // Fetch the form while the browser is idle once a signed-in user's page is up, not at the refusal.
  createEffect(() => {
    if (!auth.isAuthenticated) return;
    const prefetch = (): void => void load().catch(() => {});
    // Safari has no requestIdleCallback: a second later will do.
    if (typeof globalThis.requestIdleCallback === 'function') {
      const handle = globalThis.requestIdleCallback(prefetch);
      onCleanup(() => globalThis.cancelIdleCallback(handle));
    } else {
      const handle = setTimeout(prefetch, 1_000);
      onCleanup(() => clearTimeout(handle));
    }
  });

  return (
    <Show when={request()} keyed>
      {(current) => <current.Form methods={current.methods} onClose={close} />}
    </Show>
  );
}
