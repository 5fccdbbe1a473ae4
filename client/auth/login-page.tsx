import { A, useLocation } from '@solidjs/router';
import { createSignal, Show, type JSX } from 'solid-js';
import type { SiteSnapshot } from '../../server/shared';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAuthMessages } from './auth-context';
import { createFormState, focusWhenShown } from './form-state';
import type { AuthMessages } from './messages';
import { OtherSignInMethods } from './other-sign-in-methods';
import { PasskeySignIn } from './passkey-sign-in';
import { AuthPageFrame } from './page-frame';
import { useRedirectIfSignedIn } from './redirect-signed-in';
import { loadTwoFactorPage } from './second-step';
import { useSite } from './site';

/** The label of the login id field for the configured `loginFields`. */
export function loginIdLabel(fields: SiteSnapshot['loginFields'], t: AuthMessages): string {
  if (fields.includes('username') && fields.includes('email')) return t.usernameOrEmail;
  return fields.includes('email') ? t.email : t.username;
}

/** `?next=` of the current page, kept on links between the canned pages. */
export function withNext(url: string, search: string): string {
  const next = new URLSearchParams(search).get('next');
  return next ? `${url}?next=${encodeURIComponent(next)}` : url;
}

/**
 * The login page (`auth.login`): the login id field labelled after
 * `loginFields` ("Username", "Email" or "Username or email"), "Password"
 * and "Sign in", then **Sign in with a passkey** (and the login field's
 * autofill offers passkeys where the browser can). A refused login shows the server's uniform message in the
 * alert region; too many attempts say how long to wait. Success lands on a
 * safe `?next=` or `loginRedirectUrl`; a visitor already signed in is sent
 * there at once.
 *
 * @example
 * <Route path="/login" component={LoginPage} />
 */
export function LoginPage(): JSX.Element {
  const trpc = useAuthClient();
  const { Field, FormAlert, SubmitButton } = useAuthComponents();
  const t = useAuthMessages();
  const site = useSite();
  const location = useLocation();
  const form = createFormState(t);
  const [loginId, setLoginId] = createSignal('');
  const [password, setPassword] = createSignal('');
  useRedirectIfSignedIn(form.busy);

  const validate = (): Record<string, string> => {
    const errors: Record<string, string> = {};
    if (!loginId().trim()) errors.loginId = t().required;
    if (!password()) errors.password = t().required;
    return errors;
  };
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate,
      fields: { loginId: 'loginId', password: 'password' },
      run: async () => {
        // The answer may be the second step: its page loads while the password is checked.
        loadTwoFactorPage().catch(() => {});
        await trpc.auth.login.mutate({ loginId: loginId().trim(), password: password() });
        return 'navigates';
      },
    });
  };
  return (
    <AuthPageFrame title={t().signIn}>
      <form class="sh-form" novalidate ref={form.formRef} onSubmit={onSubmit}>
        <FormAlert message={form.formError()} ref={form.alertRef} />
        <Field
          id="sh-login-id"
          label={loginIdLabel(site().loginFields, t())}
          type={site().loginFields.length === 1 && site().loginFields[0] === 'email' ? 'email' : 'text'}
          autocomplete="username webauthn"
          {...form.bind('loginId', loginId, setLoginId)}
          required
          ref={focusWhenShown}
        />
        <Field
          id="sh-login-password"
          label={t().password}
          type="password"
          autocomplete="current-password"
          {...form.bind('password', password, setPassword)}
          required
        />
        <SubmitButton label={t().signIn} busyLabel={t().signingIn} busy={form.busy()} />
      </form>
      <PasskeySignIn />
      <OtherSignInMethods />
      <div class="sh-auth-links">
        <Show when={site().passwordResetEnabled}>
          <A href={site().passwordResetUrl}>{t().forgotPassword}</A>
        </Show>
        <Show when={site().signupEnabled}>
          <A href={withNext(site().signupUrl, location.search)}>{t().createAnAccount}</A>
        </Show>
      </div>
    </AuthPageFrame>
  );
}
