/**
 * The English texts of the pages a first visit loads: a part of the English
 * catalog (`catalog-en.ts`), in a module of its own so the browser can
 * bundle it without the rest. Imports nothing.
 */

/** The texts the pages a first visit loads can show (sign in, sign up, password reset…): the client's `AuthMessages` bundles them. */
export const EN_BROWSER_TEXTS = {
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  username: 'Username',
  usernameOrEmail: 'Username or email',
  email: 'Email',
  password: 'Password',
  confirmPassword: 'Confirm password',
  createAccount: 'Create account',
  haveAccount: 'Already have an account?',
  backToSignIn: 'Back to sign in',
  forgotPassword: 'Forgot your password?',
  passwordReset: 'Reset your password',
  passwordResetHelp: 'Enter your email address and we will send you a link to set a new password.',
  sendResetLink: 'Send reset link',
  resetRequested: 'If an account exists for that address, we sent a link to reset its password.',
  newPassword: 'New password',
  confirmNewPassword: 'Confirm new password',
  setPassword: 'Set password',
  resetLinkInvalid: 'This password reset link is invalid or has expired. Please ask for a new one.',
  passwordMismatch: 'The two password fields didn’t match.',
  logOut: 'Log out',
  permissionDenied: 'You do not have permission to do that.',
  tooManyAttempts: 'Too many attempts. Try again later.',
  required: 'This field is required.',
  language: 'Language',
  // Account security (docs/account-security.md).
  verifyEmailTitle: 'Verify your email address',
  verifyEmailHelp: 'Open the link we mailed you to confirm your address.',
  resendVerificationEmail: 'Resend verification email',
  emailVerified: 'Your email address is verified.',
  verifyEmailLinkInvalid: 'This verification link is invalid or has expired. Please ask for a new one.',
  confirmIdentityTitle: 'Confirm it’s you',
  cancel: 'Cancel',
  twoFactorRequired: 'Turn on two-factor authentication to continue.',
} as const;

/** A key of the texts the pages a first visit loads show. */
export type BrowserTextKey = keyof typeof EN_BROWSER_TEXTS;

/** The texts the pages a first visit loads show, in one language. */
export type BrowserTexts = Readonly<Record<BrowserTextKey, string>>;
