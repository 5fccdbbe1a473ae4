/**
 * The English catalog of the canned auth pages and the built-in refusals:
 * the default language, and the key set every other catalog follows. Imports
 * nothing but its parts.
 *
 * It comes in three parts, so a first visit downloads only the texts it can
 * show: `EN_BROWSER_TEXTS` (`catalog-en-browser.ts`), the texts of the pages
 * a first visit loads (sign in, sign up, password reset…);
 * `EN_ACCOUNT_TEXTS` (`catalog-en-account.ts`), those of the pages fetched
 * on first use (Settings, the two-factor step, **Confirm it's you**),
 * bundled with their code; and {@link EN_SERVER_TEXTS} here, what only the
 * server words (refusals, notices and toasts that reach the page already in
 * the user's language), which the browser never downloads. Each part is a
 * module of its own because the browser's bundler places whole modules:
 * a page importing one part must not reach the others.
 */
import { EN_ACCOUNT_TEXTS } from './catalog-en-account';
import { EN_BROWSER_TEXTS } from './catalog-en-browser';

/**
 * The texts only the server words: refusals, notices and toasts, sent in the
 * user's language, and the few no canned page shows (`noAccount`,
 * `correctErrors`…, kept for apps' own pages through `messageFor`). The
 * browser never bundles them; a page shows the server's as its message.
 */
export const EN_SERVER_TEXTS = {
  passwordChanged: 'Your password was changed.',
  invalidLogin: 'Please enter a correct username and password. Note that both fields may be case-sensitive.',
  verificationEmailSent: 'If your address can be verified, a new link is on its way.',
  emailUnverified: 'Please verify your email address first.',
  reauthRequired: 'Please confirm it’s you to continue.',
  accountDeleted: 'Your account was deleted.',
  passkeysUnavailable: 'Passkeys are not available on this site yet.',
  passkeyExpired: 'That passkey prompt expired. Please try again.',
  passkeyNotAccepted: 'That passkey was not accepted.',
  passkeyAlreadyAdded: 'This passkey is already added to an account.',
  passkeyDefaultName: 'Passkey',
  passkeyAdded: 'Your passkey is added.',
  passkeyRemoved: 'The passkey is removed.',
  passwordRemoved: 'Your password is removed. Sign in with a passkey from now on.',
  passwordNeedsPasskey: 'Add a passkey before you remove your password.',
  noPasswordToRemove: 'Your account has no password.',
  lastSignInWay: 'This is your only way to sign in. Add another one first.',
  codeIncorrect: 'That code is not valid. Check your authenticator app and try again.',
  recoveryCodeIncorrect: 'That recovery code is not valid or was used already.',
  twoFactorTurnedOff: 'Two-factor authentication is off. Your other sessions were signed out.',
  noAccount: 'No account yet?',
  passwordSet: 'Your new password is set and you are signed in.',
  loginRequired: 'Please sign in to continue.',
  correctErrors: 'Please correct the errors below.',
  signupDisabled: 'Sign-up is disabled.',
  passwordIncorrect: 'Your password was entered incorrectly.',
} as const;

/** The whole English catalog: what the server renders refusals, toasts and mails from. */
export const EN = { ...EN_BROWSER_TEXTS, ...EN_ACCOUNT_TEXTS, ...EN_SERVER_TEXTS } as const;

/** A key of the catalogs. */
export type MessageKey = keyof typeof EN;

/** Every message of one language. */
export type Messages = Readonly<Record<MessageKey, string>>;
