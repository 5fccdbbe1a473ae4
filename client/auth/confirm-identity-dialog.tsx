import { createSignal, onCleanup, Show, type JSX } from 'solid-js';
import { useStateClient } from '../state/context';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAuthMessages } from './auth-context';
import { createFormState, focusWhenShown } from './form-state';

/**
 * The **Confirm it's you** dialog: mount it once (in the app's shell). It
 * answers the `confirmIdentity` action a `recentAuth()` refusal carries:
 * field **Password**, button **Confirm** (`auth.confirmIdentity`), or
 * **Cancel**. Once confirmed, the refused call is sent again, once.
 *
 * @example
 * <Router root={(props) => <><ConfirmIdentityDialog />{props.children}</>}>…</Router>
 */
export function ConfirmIdentityDialog(): JSX.Element {
  const client = useStateClient();
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAuthMessages();
  const form = createFormState(t);
  const [password, setPassword] = createSignal('');
  const [answer, setAnswer] = createSignal<((confirmed: boolean) => void) | null>(null);

  const close = (confirmed: boolean): void => {
    const settle = answer();
    setAnswer(null);
    setPassword('');
    settle?.(confirmed);
  };
  onCleanup(
    client.actions.setConfirmIdentity(
      () =>
        new Promise<boolean>((resolve) => {
          answer()?.(false);
          setAnswer(() => resolve);
        }),
    ),
  );
  onCleanup(() => close(false));

  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate: (): Record<string, string> => (password() ? {} : { password: t().required }),
      fields: { password: 'password' },
      run: async () => {
        await trpc.auth.confirmIdentity.mutate({ password: password() });
      },
      onSuccess: () => close(true),
    });
  };

  return (
    <Show when={answer()}>
      <div class="sh-dialog-backdrop">
        <div
          class="sh-dialog"
          role="dialog"
          aria-modal="true"
          aria-labelledby="sh-confirm-identity-title"
          onKeyDown={(event) => {
            if (event.key === 'Escape') close(false);
          }}
        >
          <h2 id="sh-confirm-identity-title">{t().confirmIdentityTitle}</h2>
          <p class="sh-auth-lead">{t().confirmIdentityHelp}</p>
          <form class="sh-form" novalidate ref={form.formRef} onSubmit={onSubmit}>
            <FormAlert message={form.formError()} ref={form.alertRef} />
            <Field
              id="sh-confirm-identity-password"
              label={t().password}
              type="password"
              autocomplete="current-password"
              {...form.bind('password', password, setPassword)}
              required
              ref={focusWhenShown}
            />
            <div class="sh-dialog-actions">
              <SubmitButton label={t().confirm} busyLabel={t().confirm} busy={form.busy()} />
              <button type="button" class="sh-button sh-button-secondary" onClick={() => close(false)}>
                {t().cancel}
              </button>
            </div>
          </form>
        </div>
      </div>
    </Show>
  );
}
