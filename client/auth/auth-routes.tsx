import { Route } from '@solidjs/router';
import { createMemo, type Component, type JSX } from 'solid-js';
import { AuthPagesProvider } from './auth-components';
import type { AuthPagesOptions } from './auth-context';
import { lazyPage } from './lazy-page';
import { LoginPage } from './login-page';
import { PasswordResetConfirmPage } from './password-reset-confirm-page';
import { PasswordResetRequestPage } from './password-reset-request-page';
import { RegisterPage } from './register-page';
import { useSite } from './site';
import { VerifyEmailPage } from './verify-email-page';
import { TWO_FACTOR_PATH } from '../../server/shared';
import { loadTwoFactorPage } from './second-step';

// Reached only by a sign-in with a second step: fetched then, not with the shell.
const TwoFactorPage = lazyPage(loadTwoFactorPage);

/** The `<AuthRoutes>` props: which parts and texts the pages use. */
export type AuthRoutesProps = AuthPagesOptions;

interface RouteTable {
  login: string;
  signup: string | null;
  reset: string | null;
  verify: string | null;
}

/**
 * Mounts the canned auth pages in one go, inside `<Router>`: Login at
 * `loginUrl`, Register at `signupUrl` (when `signupEnabled`), Password
 * reset request at `passwordResetUrl` and Password reset confirm at
 * `passwordResetUrl/:token` (when `passwordResetEnabled`), Verify email at
 * `verifyEmailUrl/:token` (unless `emailVerification` is `off`), Two-factor
 * authentication at `/two-factor` (the second step of a sign-in): the URLs and
 * switches of the `site` slice, so they follow the server's `auth` config.
 * Texts come from the catalogs with `auth.messages` applied, then `messages`;
 * `components` replaces parts (`Layout`, `Header`, `Footer`, `Field`,
 * `FormAlert`, `SubmitButton`); `registerFields` adds the app's own
 * sign-up fields (see `docs/user-fields.md`).
 *
 * @example
 * <Router root={Shell}>
 *   <Route path="/" component={Home} />
 *   <AuthRoutes messages={{ signIn: 'Log in' }} components={{ Footer: MyFooter }} />
 * </Router>
 */
export function AuthRoutes(props: AuthRoutesProps): JSX.Element {
  const site = useSite();
  const withOptions = (Page: Component) => () => (
    <AuthPagesProvider components={props.components} messages={props.messages} registerFields={props.registerFields}>
      <Page />
    </AuthPagesProvider>
  );
  const Login = withOptions(LoginPage);
  const Register = withOptions(RegisterPage);
  const ResetRequest = withOptions(PasswordResetRequestPage);
  const ResetConfirm = withOptions(PasswordResetConfirmPage);
  const VerifyEmail = withOptions(VerifyEmailPage);
  const TwoFactor = withOptions(TwoFactorPage);

  // Recreated only when a URL or a switch changes (the first push may change them).
  const table = createMemo(
    (): RouteTable => {
      const s = site();
      return {
        login: s.loginUrl,
        signup: s.signupEnabled ? s.signupUrl : null,
        reset: s.passwordResetEnabled ? s.passwordResetUrl : null,
        verify: s.emailVerification === 'off' ? null : s.verifyEmailUrl,
      };
    },
    undefined,
    {
      equals: (a: RouteTable | undefined, b: RouteTable) =>
        a?.login === b.login && a.signup === b.signup && a.reset === b.reset && a.verify === b.verify,
    },
  );
  const routes = createMemo(() => {
    const { login, signup, reset, verify } = table();
    return [
      <Route path={login} component={Login} />,
      signup === null ? null : <Route path={signup} component={Register} />,
      reset === null ? null : <Route path={reset} component={ResetRequest} />,
      reset === null ? null : <Route path={`${reset.replace(/\/$/, '')}/:token`} component={ResetConfirm} />,
      verify === null ? null : <Route path={`${verify.replace(/\/$/, '')}/:token`} component={VerifyEmail} />,
      <Route path={TWO_FACTOR_PATH} component={TwoFactor} />,
    ].filter((route) => route !== null);
  });
  // The router reads its children through `children()`, which calls (and tracks) this accessor.
  return routes as unknown as JSX.Element;
}
