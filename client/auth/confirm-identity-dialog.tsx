import { createEffect, createSignal, onCleanup, Show, type Component, type JSX } from 'solid-js';
import type { ReauthMethod } from '../../server/shared';
import { useAuth, useStateClient } from '../state/context';
import { useAuthMessages } from './auth-context';
import { chunkOnce } from './chunk';
import { DialogFrame } from './dialog-frame';
import { whenIdle } from './idle';
import type { ConfirmIdentityFormProps } from './confirm-identity-form';

/** One refusal being answered: the form to show (`null` while its chunk loads), the methods it offers, and who waits for the answer. */
interface Request {
  Form: Component<ConfirmIdentityFormProps> | null;
  methods: readonly ReauthMethod[];
  settle: (confirmed: boolean) => void;
}

/** The dialog's form, fetched once; a failed fetch is tried again at the next refusal. */
const loadForm = chunkOnce(() => import('./confirm-identity-form').then((m) => m.ConfirmIdentityForm));

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
 * it, then for the user). Meanwhile the dialog shows at once with its title,
 * a **Loading…** line and a **Cancel** (or Escape) that answers refused as the
 * form's does. When the form cannot be loaded, or not within
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
    client.actions.setConfirmIdentity((offered) => {
      close(false);
      // Unmounted: nobody can answer, and the actions queued behind the call wait for this one.
      if (disposed) return Promise.resolve(false);
      const methods: readonly ReauthMethod[] = offered.length > 0 ? offered : ['password'];
      return new Promise<boolean>((settle) => {
        let answered = false;
        const answer = (confirmed: boolean): void => {
          if (answered) return;
          answered = true;
          settle(confirmed);
        };
        // The frame shows at once; its Cancel, Escape or an unmount answer before the form is in.
        const waiting: Request = { Form: null, methods, settle: answer };
        setRequest(waiting);
        within(load(), props.formTimeoutMs ?? CONFIRM_FORM_TIMEOUT_MS).then(
          (Form) => {
            if (!answered) setRequest({ Form, methods, settle: answer });
          },
          (error: unknown) => {
            if (answered) return;
            console.error('statehouse: the "Confirm it\'s you" dialog could not be loaded', error);
            if (request() === waiting) setRequest(null);
            client.toastActions.show('error', t().somethingWentWrong);
            answer(false);
          },
        );
      });
    }),
  );
  onCleanup(() => {
    disposed = true;
    close(false);
  });
  // Fetch the form while the browser is idle once a signed-in user's page is up, not at the refusal.
  createEffect(() => {
    if (auth.isAuthenticated) whenIdle(() => void load().catch(() => {}));
  });

  return (
    <Show when={request()} keyed>
      {(current) => {
        const Form = current.Form;
        return Form ? <Form methods={current.methods} onClose={close} /> : <LoadingFrame onCancel={() => close(false)} />;
      }}
    </Show>
  );
}

/** The dialog while its form loads: the title, a loading line and **Cancel**, as the form will place them. */
function LoadingFrame(props: { onCancel: () => void }): JSX.Element {
  const t = useAuthMessages();
  return (
    <DialogFrame title={t().confirmIdentityTitle} busy onEscape={() => props.onCancel()}>
      <p class="sh-auth-lead" role="status">
        {t().loadingPage}
      </p>
      <div class="sh-dialog-actions">
        <button
          type="button"
          class="sh-button sh-button-secondary"
          ref={(button) => queueMicrotask(() => button.isConnected && button.focus())}
          onClick={() => props.onCancel()}
        >
          {t().cancel}
        </button>
      </div>
    </DialogFrame>
  );
}
