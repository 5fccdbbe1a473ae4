import { A } from '@solidjs/router';
import { Show, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAuthMessages } from './auth-context';
import { createAddressForm, focusWhenShown } from './form-state';
import { AuthPageFrame } from './page-frame';
import { useSite } from './site';

/**
 * The "forgot your password" page (`auth.requestPasswordReset`, mounted only
 * when `passwordResetEnabled`): "Email" and "Send reset link". It answers
 * the same whether or not an account has the address ("If an account
 * exists for that address, we sent a link to reset its password."), so it
 * never tells who is registered.
 *
 * @example
 * <Route path="/password-reset" component={PasswordResetRequestPage} />
 */
export function PasswordResetRequestPage(): JSX.Element {
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAuthMessages();
  const site = useSite();
  const { form, email, setEmail, sent, onSubmit } = createAddressForm(t, (address) =>
    trpc.auth.requestPasswordReset.mutate({ email: address }),
  );

  return (
    <AuthPageFrame title={t().passwordReset}>
      <p class="sh-auth-lead">{t().passwordResetHelp}</p>
      <div class="sh-status" role="status">
        <Show when={sent()}>
          <p class="sh-notice">{t().resetRequested}</p>
        </Show>
      </div>
      <form class="sh-form" novalidate ref={form.formRef} onSubmit={onSubmit}>
        <FormAlert message={form.formError()} ref={form.alertRef} />
        <Field
          id="sh-reset-email"
          label={t().email}
          type="email"
          autocomplete="email"
          {...form.bind('email', email, setEmail)}
          required
          ref={focusWhenShown}
        />
        <SubmitButton label={t().sendResetLink} busyLabel={t().sendingResetLink} busy={form.busy()} />
      </form>
      <div class="sh-auth-links">
        <A href={site().loginUrl}>{t().backToSignIn}</A>
      </div>
    </AuthPageFrame>
  );
}
