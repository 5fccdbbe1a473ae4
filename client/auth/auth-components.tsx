import { useContext, type Component, type JSX } from 'solid-js';
import { AuthPagesContext, type AuthPagesOptions } from './auth-context';
import { Field, type FieldProps } from './field';
import { FormAlert, SubmitButton, type FormAlertProps, type SubmitButtonProps } from './form-parts';
import { AuthFooter, AuthHeader, AuthLayout, type AuthFooterProps, type AuthHeaderProps, type AuthLayoutProps } from './layout';

/** The replaceable parts of the canned pages. */
export interface AuthComponents {
  Layout: Component<AuthLayoutProps>;
  Header: Component<AuthHeaderProps>;
  Footer: Component<AuthFooterProps>;
  Field: Component<FieldProps>;
  FormAlert: Component<FormAlertProps>;
  SubmitButton: Component<SubmitButtonProps>;
}

/** The parts used when none are given. */
export const DEFAULT_AUTH_COMPONENTS: Readonly<AuthComponents> = Object.freeze({
  Layout: AuthLayout,
  Header: AuthHeader,
  Footer: AuthFooter,
  Field,
  FormAlert,
  SubmitButton,
});

/**
 * Hands page options to canned pages mounted by hand (`<AuthRoutes>` does
 * it for its own routes).
 *
 * @example
 * <Route path="/signin" component={() => (
 *   <AuthPagesProvider messages={{ signIn: 'Log in' }}><LoginPage /></AuthPagesProvider>
 * )} />
 */
export function AuthPagesProvider(props: AuthPagesOptions & { children?: JSX.Element }): JSX.Element {
  return <AuthPagesContext.Provider value={props}>{props.children}</AuthPagesContext.Provider>;
}

/**
 * The parts the canned pages render with: the defaults, replaced by the
 * nearest provider's `components`.
 *
 * @example
 * const { Field, SubmitButton } = useAuthComponents();
 */
export function useAuthComponents(): AuthComponents {
  return { ...DEFAULT_AUTH_COMPONENTS, ...useContext(AuthPagesContext).components };
}
