import { Show, type JSX } from 'solid-js';
import { createAddressForm, Field, FormAlert, SubmitButton, useAuthClient, useAccountMessages } from '../auth';
import { useAuth } from '../state';

/**
 * **Change email** (`auth.changeEmail`, after "Confirm it's you" when the
 * sign-in is not recent): the new address gets a link, and replaces the
 * current one only once the link is opened.
 */
export function ChangeEmailForm(): JSX.Element {
  const trpc = useAuthClient();
  const t = useAccountMessages();
  const auth = useAuth();
  const { form, email, setEmail, sent, onSubmit } = createAddressForm(t, (address) => trpc.auth.changeEmail.mutate({ email: address }), {
    clearOnSuccess: true,
  });
  return (
    <form class="card" novalidate ref={form.formRef} onSubmit={onSubmit} aria-labelledby="change-email-title">
      <h2 id="change-email-title">{t().changeEmail}</h2>
      <p class="muted">
        <Show when={auth.email} fallback="No address yet.">
          Now: <span dir="auto">{auth.email}</span>
        </Show>
      </p>
      <div role="status">
        <Show when={sent()}>
          <p class="notice">{t().emailChangeRequested}</p>
        </Show>
      </div>
      <FormAlert message={form.formError()} ref={form.alertRef} />
      <Field
        id="settings-new-email"
        label={t().newEmail}
        type="email"
        autocomplete="email"
        {...form.bind('email', email, setEmail)}
        required
      />
      <SubmitButton label={t().changeEmail} busyLabel={t().changeEmail} busy={form.busy()} />
    </form>
  );
}
