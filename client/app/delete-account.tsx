import { createSignal, Show, type JSX } from 'solid-js';
import { createFormState, FormAlert, useAuthClient, useAccountMessages } from '../auth';

/**
 * **Delete account**, asked twice (and "Confirm it's you" when the sign-in
 * is not recent): `auth.deleteAccount` deletes the user and their notes and
 * signs out every tab.
 */
export function DeleteAccount(): JSX.Element {
  const trpc = useAuthClient();
  const t = useAccountMessages();
  const form = createFormState(t);
  const [asking, setAsking] = createSignal(false);
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      run: async () => {
        await trpc.auth.deleteAccount.mutate();
        return 'navigates';
      },
    });
  };
  return (
    <form class="card danger-zone" novalidate ref={form.formRef} onSubmit={onSubmit} aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">{t().deleteAccount}</h2>
      <p class="muted">{t().deleteAccountWarning}</p>
      <FormAlert message={form.formError()} ref={form.alertRef} />
      <Show
        when={asking()}
        fallback={
          <button type="button" class="button button-danger" onClick={() => setAsking(true)}>
            {t().deleteAccount}
          </button>
        }
      >
        <div class="form-actions">
          <button type="submit" class="button button-danger" disabled={form.busy()}>
            {t().deleteAccountConfirm}
          </button>
          <button type="button" class="button button-quiet" onClick={() => setAsking(false)}>
            {t().cancel}
          </button>
        </div>
      </Show>
    </form>
  );
}
