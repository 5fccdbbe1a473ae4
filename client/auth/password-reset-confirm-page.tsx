import { A, useParams } from '@solidjs/router';
import { createResource, createSignal, Match, Switch, type JSX } from 'solid-js';
import { readErrorEnvelope } from '../state/link';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAuthMessages } from './auth-context';
import { errorCodeOf } from './failure';
import { createFormState, focusWhenShown } from './form-state';
import { AuthPageFrame } from './page-frame';
import { useSite } from './site';
import { loadTwoFactorPage } from './second-step';

type NewPasswordField = 'newPassword' | 'confirmPassword';

/**
 * The page a reset link opens (`/password-reset/:token`): checks the link
 * first (`auth.checkPasswordResetToken`), then asks for "New password" and
 * "Confirm new password" with "Set password" (`auth.confirmPasswordReset`),
 * which signs the user in. A used, expired or unknown link says so, with a
 * link to ask for a new one. The server sends these pages with
 * `Referrer-Policy: no-referrer`, so the token never leaks to other sites.
 *
 * @example
 * <Route path="/password-reset/:token" component={PasswordResetConfirmPage} />
 */
export function PasswordResetConfirmPage(): JSX.Element {
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAuthMessages();
  const site = useSite();
  const params = useParams<{ token: string }>();
  const form = createFormState(t);
  const [values, setValues] = createSignal<Record<NewPasswordField, string>>({ newPassword: '', confirmPassword: '' });
  const [usedUp, setUsedUp] = createSignal(false);
  const [check] = createResource(
    () => params.token,
    async (token) => (await trpc.auth.checkPasswordResetToken.query({ token })).valid,
  );
  const invalid = (): boolean => usedUp() || check.error !== undefined || check() === false;

  const set = (field: NewPasswordField) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    form.clearFieldError(field);
  };
  const validate = (): Record<string, string> => {
    const { newPassword, confirmPassword } = values();
    const errors: Record<string, string> = {};
    if (!newPassword) errors.newPassword = t().required;
    if (!confirmPassword) errors.confirmPassword = t().required;
    else if (newPassword && newPassword !== confirmPassword) errors.confirmPassword = t().passwordMismatch;
    return errors;
  };
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate,
      fields: { newPassword: 'newPassword', confirmPassword: 'confirmPassword' },
      run: async () => {
        // An account with two-factor is sent to its second step: that page loads meanwhile.
        loadTwoFactorPage().catch(() => {});
        try {
          await trpc.auth.confirmPasswordReset.mutate({ token: params.token, ...values() });
        } catch (error) {
          // A link used up meanwhile answers BAD_REQUEST without field errors.
          const fieldless = errorCodeOf(error) === 'BAD_REQUEST' && !hasFieldErrors(error);
          if (fieldless) setUsedUp(true);
          throw error;
        }
        return 'navigates';
      },
    });
  };

  return (
    <AuthPageFrame title={t().setNewPassword}>
      <Switch>
        <Match when={invalid()}>
          <div class="sh-alert sh-alert-shown" role="alert">
            {t().resetLinkInvalid}
          </div>
          <div class="sh-auth-links">
            <A href={site().passwordResetUrl}>{t().askForNewLink}</A>
            <A href={site().loginUrl}>{t().backToSignIn}</A>
          </div>
        </Match>
        <Match when={check() === true}>
          <form class="sh-form" novalidate ref={form.formRef} onSubmit={onSubmit}>
            <FormAlert message={form.formError()} ref={form.alertRef} />
            <Field
              id="sh-reset-new-password"
              name="newPassword"
              label={t().newPassword}
              type="password"
              autocomplete="new-password"
              value={values().newPassword}
              onInput={set('newPassword')}
              error={form.fieldError('newPassword')}
              required
              ref={focusWhenShown}
            />
            <Field
              id="sh-reset-confirm-password"
              name="confirmPassword"
              label={t().confirmNewPassword}
              type="password"
              autocomplete="new-password"
              value={values().confirmPassword}
              onInput={set('confirmPassword')}
              error={form.fieldError('confirmPassword')}
              required
            />
            <SubmitButton label={t().setPassword} busyLabel={t().settingPassword} busy={form.busy()} />
          </form>
        </Match>
        <Match when={check.loading}>
          <p class="sh-status" role="status">
            {t().checkingResetLink}
          </p>
        </Match>
      </Switch>
    </AuthPageFrame>
  );
}

function hasFieldErrors(error: unknown): boolean {
  return (readErrorEnvelope(error)?.fieldErrors?.length ?? 0) > 0;
}
