import { createSignal, onCleanup, Show, type Component, type JSX } from 'solid-js';
import type { ReauthMethod } from '../../server/shared';
import { useStateClient } from '../state/context';
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

/**
 * The **Confirm it's you** dialog: mount it once (in the app's shell). It
 * answers the `confirmIdentity` action a `recentAuth()` refusal carries:
 * field **Password**, button **Confirm** (`auth.confirmIdentity`), or
 * **Cancel**; with a passkey among the user's methods also **Use a passkey**
 * (and no password field when a passkey is all they have). When the methods
 * include `totp` (two-factor is on), a link switches to field **Authentication
 * code**. Once confirmed, the refused call is sent again, once.
 *
 * The form is a chunk of its own, fetched at the first refusal (the refused
 * call waits for it, then for the user). When it cannot be loaded the call
 * fails as refused, and a toast says so.
 *
 * @example
 * <Router root={(props) => <><ConfirmIdentityDialog />{props.children}</>}>…</Router>
 */
export function ConfirmIdentityDialog(): JSX.Element {
  const client = useStateClient();
  const t = useAuthMessages();
  const [request, setRequest] = createSignal<Request | null>(null);
  let asked = 0;

  const close = (confirmed: boolean): void => {
    const current = request();
    setRequest(null);
    current?.settle(confirmed);
  };
  onCleanup(
    client.actions.setConfirmIdentity(async (offered) => {
      const turn = ++asked;
      close(false);
      let Form: Component<ConfirmIdentityFormProps>;
      try {
        Form = await loadForm();
      } catch (error) {
        console.error('statehouse: the "Confirm it\'s you" dialog could not be loaded', error);
        client.toastActions.show('error', t().somethingWentWrong);
        return false;
      }
      // A later refusal came while this one's form loaded: it is the one asked.
      if (turn !== asked) return false;
      const methods: readonly ReauthMethod[] = offered.length > 0 ? offered : ['password'];
      return new Promise<boolean>((settle) => setRequest({ Form, methods, settle }));
    }),
  );
  onCleanup(() => close(false));

  return (
    <Show when={request()} keyed>
      {(current) => <current.Form methods={current.methods} onClose={close} />}
    </Show>
  );
}
