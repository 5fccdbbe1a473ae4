/**
 * The English texts of the pages a first visit does not load: a part of the
 * English catalog (`catalog-en.ts`), in a module of its own so the browser
 * bundles it with those pages' code. Imports nothing.
 */

/**
 * The texts of the pages a first visit does not load (Settings: password,
 * email, two-factor, deleting the account; the two-factor step; **Confirm
 * it's you**): the browser bundles them with those pages' code.
 */
export const EN_ACCOUNT_TEXTS = {
  firstName: 'First name',
  lastName: 'Last name',
  currentPassword: 'Current password',
  changePassword: 'Change password',
  changeEmail: 'Change email',
  newEmail: 'New email',
  emailChangeRequested: 'We sent a link to the new address. Your address changes once you open it.',
  confirmIdentityHelp: 'Enter your password to continue.',
  deleteAccount: 'Delete account',
  deleteAccountWarning: 'This deletes your account and everything in it. It cannot be undone.',
  deleteAccountConfirm: 'Yes, delete my account',
  twoFactorTitle: 'Two-factor authentication',
  twoFactorHelp: 'Enter the 6-digit code from your authenticator app.',
  authenticationCode: 'Authentication code',
  verifying: 'Verifying…',
  useRecoveryCode: 'Use a recovery code',
  useAuthenticationCode: 'Use a code from your authenticator app',
  usePassword: 'Use your password',
  recoveryCode: 'Recovery code',
  recoveryCodeHelp: 'Enter one of the recovery codes you saved when you turned on two-factor.',
  trustThisDevice: 'Trust this device for 30 days',
  secondStepExpired: 'Your sign-in took too long. Please sign in again.',
  security: 'Security',
  setUpAuthenticatorApp: 'Set up authenticator app',
  setupKey: 'Setup key',
  setupHelp: 'Scan the QR code with your authenticator app, or type the setup key into it. Then enter the code it shows.',
  qrCodeLabel: 'QR code for your authenticator app',
  turnOnTwoFactor: 'Turn on two-factor',
  turnOffTwoFactor: 'Turn off two-factor',
  twoFactorIsOn: 'Two-factor authentication is on.',
  twoFactorIsOff: 'Two-factor authentication is off. Add a second step to your sign-in with an authenticator app.',
  recoveryCodes: 'Recovery codes',
  recoveryCodesHelp: 'Each code signs you in once if you lose your authenticator app. Keep them somewhere safe: they are shown only now.',
  recoveryCodesLeft: 'Recovery codes left: {count}.',
  download: 'Download',
  regenerate: 'Regenerate',
  confirm: 'Confirm',
  verify: 'Verify',
  done: 'Done',
} as const;

/** A key of the texts of the pages fetched on first use. */
export type AccountTextKey = keyof typeof EN_ACCOUNT_TEXTS;

/** The texts of the pages fetched on first use, in one language. */
export type AccountTexts = Readonly<Record<AccountTextKey, string>>;
