/**
 * The canned auth pages and the page guards of the Solid client.
 *
 * @example
 * import { AuthRoutes, loginRequired, LogoutButton, RequireStaff } from './auth';
 * <Router root={Shell}>
 *   <Route path="/notes" component={loginRequired(NotesPage)} />
 *   <AuthRoutes />
 * </Router>
 */
export { AuthRoutes, type AuthRoutesProps } from './auth-routes';
export { AuthPagesProvider, DEFAULT_AUTH_COMPONENTS, useAuthComponents, type AuthComponents } from './auth-components';
export { useAuthMessages, useTextsOf, type AuthPagesOptions, type RegisterField } from './auth-context';
export { useAuthClient, type BuiltinRouter } from './auth-client';
export { LoginPage, loginIdLabel } from './login-page';
export { RegisterPage } from './register-page';
export { PasswordResetRequestPage } from './password-reset-request-page';
export { PasswordResetConfirmPage } from './password-reset-confirm-page';
export { VerifyEmailPage } from './verify-email-page';
export { VerifyEmailBanner } from './verify-email-banner';
export { ConfirmIdentityDialog } from './confirm-identity-dialog';
export { PasskeySignIn } from './passkey-sign-in';
export { PasskeySettings } from './passkey-settings';
export {
  cancelPasskeyPrompt,
  PasskeyPromptError,
  passkeyFailureOf,
  passkeysSupported,
  runPasskeyPrompt,
  signInWithPasskey,
  type PasskeyPromptFailure,
  type WebAuthnLibrary,
} from './passkey-client';
export { addPasskey, answerSecondStepWithPasskey, confirmWithPasskey } from './passkey-account';
export { TwoFactorPage } from './two-factor-page';
export { loadTwoFactorPage } from './second-step';
export { TwoFactorSettings } from './two-factor-settings';
export { QrCode } from './qr-code';
export { AuthPageFrame, type AuthPageFrameProps } from './page-frame';
export { describedByOf, Field, type FieldProps } from './field';
export { FormAlert, SubmitButton, type FormAlertProps, type SubmitButtonProps } from './form-parts';
export { AuthFooter, AuthHeader, AuthLayout, type AuthFooterProps, type AuthHeaderProps, type AuthLayoutProps } from './layout';
export { LanguagePicker, languageName } from './language-picker';
export { createAddressForm, createFormState, focusWhenShown, type AddressForm, type FormState, type SubmitOptions } from './form-state';
export { describeFailure, errorCodeOf, type FormFailure } from './failure';
export {
  AUTH_CATALOGS,
  AUTH_EN,
  authMessagesFor,
  formatMessage,
  loadAuthMessages,
  type AuthMessages,
  type PageMessageKey,
} from './messages';
export {
  ACCOUNT_EN,
  accountMessagesFor,
  loadAccountMessages,
  useAccountMessages,
  type AccountMessages,
  type AccountPageMessageKey,
} from './account-messages';
export {
  CATALOG_TIMEOUT_MS,
  lazyCatalogs,
  overridesLanguageOf,
  preloadLanguage,
  type CatalogStatus,
  type LazyCatalogs,
} from './lazy-catalogs';
export { withOverrides } from '../../server/shared';
export { DEFAULT_SITE, useLanguage, useLanguagePending, usePagesShown, useSite, useStateReady, type LanguageState } from './site';
export { redirectTargetOf, useRedirectIfSignedIn } from './redirect-signed-in';
export { RequireAuth, RequireUser, type GuardProps, type RequireUserProps } from './require-user';
export { RequireGroup, RequireStaff, RequireSuperuser, type RequireGroupProps } from './role-guards';
export { RequireTwoFactor } from './require-two-factor';
export { loginRequired, type LoginRequiredOptions } from './login-required';
export { lazyPage, withPreload, type LazyPage } from './lazy-page';
export { LogoutButton, type LogoutButtonProps } from './logout-button';
