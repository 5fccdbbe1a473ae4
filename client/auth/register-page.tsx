import { A, useLocation } from '@solidjs/router';
import { createSignal, For, useContext, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { AuthPagesContext, useAuthMessages } from './auth-context';
import { createFormState, focusWhenShown } from './form-state';
import { withNext } from './login-page';
import { AuthPageFrame } from './page-frame';
import { useRedirectIfSignedIn } from './redirect-signed-in';
import { useSite } from './site';

type BuiltinField = 'username' | 'email' | 'password' | 'confirmPassword';

/**
 * The sign-up page (`auth.register`, mounted only when `signupEnabled`):
 * "Username", "Email", "Password", "Confirm password", the app's own
 * `registerFields` (see `<AuthRoutes>`) and "Create account".
 * The server's checks (taken username, weak password, …) show next to
 * their fields; success signs the new account in and lands like a login.
 *
 * @example
 * <Route path="/register" component={RegisterPage} />
 */
export function RegisterPage(): JSX.Element {
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAuthMessages();
  const site = useSite();
  const location = useLocation();
  const form = createFormState(t);
  const extra = useContext(AuthPagesContext).registerFields ?? [];
  const [values, setValues] = createSignal<Record<BuiltinField, string>>({ username: '', email: '', password: '', confirmPassword: '' });
  const [extraValues, setExtraValues] = createSignal<Record<string, string>>({});
  useRedirectIfSignedIn(form.busy);

  const set = (field: BuiltinField) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    form.clearFieldError(field);
  };
  const validate = (): Record<string, string> => {
    const { username, password, confirmPassword } = values();
    const errors: Record<string, string> = {};
    if (!username.trim()) errors.username = t().required;
    if (!password) errors.password = t().required;
    if (!confirmPassword) errors.confirmPassword = t().required;
    else if (password && password !== confirmPassword) errors.confirmPassword = t().passwordMismatch;
    for (const field of extra) if (field.required && !(extraValues()[field.name] ?? '').trim()) errors[field.name] = t().required;
    return errors;
  };
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate,
      fields: {
        username: 'username',
        email: 'email',
        password: 'password',
        confirmPassword: 'confirmPassword',
        ...Object.fromEntries(extra.map((field) => [field.name, field.name])),
      },
      run: async () => {
        const { username, email, password, confirmPassword } = values();
        const fields = extra.length > 0 ? Object.fromEntries(extra.map((f) => [f.name, (extraValues()[f.name] ?? '').trim()])) : undefined;
        await trpc.auth.register.mutate({ username: username.trim(), email: email.trim(), password, confirmPassword, fields });
        return 'navigates';
      },
    });
  };

  return (
    <AuthPageFrame title={t().createAnAccount}>
      <form class="sh-form" novalidate ref={form.formRef} onSubmit={onSubmit}>
        <FormAlert message={form.formError()} ref={form.alertRef} />
        <Field
          id="sh-register-username"
          name="username"
          label={t().username}
          autocomplete="username"
          value={values().username}
          onInput={set('username')}
          error={form.fieldError('username')}
          required
          ref={focusWhenShown}
        />
        <Field
          id="sh-register-email"
          name="email"
          label={t().email}
          type="email"
          autocomplete="email"
          value={values().email}
          onInput={set('email')}
          error={form.fieldError('email')}
          hint={t().emailHint}
        />
        <Field
          id="sh-register-password"
          name="password"
          label={t().password}
          type="password"
          autocomplete="new-password"
          value={values().password}
          onInput={set('password')}
          error={form.fieldError('password')}
          required
        />
        <Field
          id="sh-register-confirm-password"
          name="confirmPassword"
          label={t().confirmPassword}
          type="password"
          autocomplete="new-password"
          value={values().confirmPassword}
          onInput={set('confirmPassword')}
          error={form.fieldError('confirmPassword')}
          required
        />
        <For each={extra}>
          {(field) => (
            <Field
              id={`sh-register-${field.name}`}
              name={field.name}
              label={field.label}
              type={field.type ?? 'text'}
              autocomplete={field.autocomplete}
              value={extraValues()[field.name] ?? ''}
              onInput={(value: string) => {
                setExtraValues((current) => ({ ...current, [field.name]: value }));
                form.clearFieldError(field.name);
              }}
              error={form.fieldError(field.name)}
              hint={field.hint}
              required={field.required}
            />
          )}
        </For>
        <SubmitButton label={t().createAccount} busyLabel={t().creatingAccount} busy={form.busy()} />
      </form>
      <div class="sh-auth-links">
        <span>{t().haveAccount}</span> <A href={withNext(site().loginUrl, location.search)}>{t().signInInstead}</A>
      </div>
    </AuthPageFrame>
  );
}
