import { createSignal, type JSX } from 'solid-js';
import { createFormState, Field, FormAlert, SubmitButton, useAuthClient, useAccountMessages } from '../auth';

type PasswordField = 'currentPassword' | 'newPassword' | 'confirmPassword';

const EMPTY: Record<PasswordField, string> = { currentPassword: '', newPassword: '', confirmPassword: '' };

/**
 * "Current password", "New password", "Confirm new password" and "Change
 * password" (`auth.changePassword`): the server ends the user's other
 * sessions and keeps this one under a new id.
 */
export function ChangePasswordForm(props: { onChanged?: () => void }): JSX.Element {
  const trpc = useAuthClient();
  const t = useAccountMessages();
  const form = createFormState(t);
  const [values, setValues] = createSignal<Record<PasswordField, string>>({ ...EMPTY });
  const set = (field: PasswordField) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    form.clearFieldError(field);
  };
  const validate = (): Record<string, string> => {
    const { currentPassword, newPassword, confirmPassword } = values();
    const errors: Record<string, string> = {};
    if (!currentPassword) errors.currentPassword = t().required;
    if (!newPassword) errors.newPassword = t().required;
    if (!confirmPassword) errors.confirmPassword = t().required;
    else if (newPassword && newPassword !== confirmPassword) errors.confirmPassword = t().passwordMismatch;
    return errors;
  };
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate,
      fields: { currentPassword: 'currentPassword', newPassword: 'newPassword', confirmPassword: 'confirmPassword' },
      run: async () => {
        await trpc.auth.changePassword.mutate(values());
      },
      onSuccess: () => {
        setValues({ ...EMPTY });
        props.onChanged?.();
      },
    });
  };

  return (
    <form class="card" novalidate ref={form.formRef} onSubmit={onSubmit} aria-labelledby="change-password-title">
      <h2 id="change-password-title">{t().changePassword}</h2>
      <p class="muted">Changing it signs out your other sessions.</p>
      <FormAlert message={form.formError()} ref={form.alertRef} />
      <Field
        id="settings-current-password"
        name="currentPassword"
        label={t().currentPassword}
        type="password"
        autocomplete="current-password"
        value={values().currentPassword}
        onInput={set('currentPassword')}
        error={form.fieldError('currentPassword')}
        required
      />
      <Field
        id="settings-new-password"
        name="newPassword"
        label={t().newPassword}
        type="password"
        autocomplete="new-password"
        value={values().newPassword}
        onInput={set('newPassword')}
        error={form.fieldError('newPassword')}
        required
      />
      <Field
        id="settings-confirm-password"
        name="confirmPassword"
        label={t().confirmNewPassword}
        type="password"
        autocomplete="new-password"
        value={values().confirmPassword}
        onInput={set('confirmPassword')}
        error={form.fieldError('confirmPassword')}
        required
      />
      <div class="form-actions">
        <SubmitButton label={t().changePassword} busyLabel={t().changingPassword} busy={form.busy()} />
      </div>
    </form>
  );
}
