/**
 * Message catalogs of the canned auth pages (sign in, sign up, password
 * reset, log out) and of the built-in refusals. Shared by the server and the
 * Solid pages: this module imports nothing.
 */

/** Text direction of a language. */
export type TextDirection = 'ltr' | 'rtl';

const EN = {
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  username: 'Username',
  usernameOrEmail: 'Username or email',
  email: 'Email',
  password: 'Password',
  confirmPassword: 'Confirm password',
  firstName: 'First name',
  lastName: 'Last name',
  createAccount: 'Create account',
  noAccount: 'No account yet?',
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
  passwordSet: 'Your new password is set and you are signed in.',
  resetLinkInvalid: 'This password reset link is invalid or has expired. Please ask for a new one.',
  currentPassword: 'Current password',
  changePassword: 'Change password',
  passwordChanged: 'Your password was changed.',
  passwordMismatch: 'The two password fields didn’t match.',
  logOut: 'Log out',
  invalidLogin: 'Please enter a correct username and password. Note that both fields may be case-sensitive.',
  loginRequired: 'Please sign in to continue.',
  permissionDenied: 'You do not have permission to do that.',
  tooManyAttempts: 'Too many attempts. Try again later.',
  correctErrors: 'Please correct the errors below.',
  required: 'This field is required.',
  signupDisabled: 'Sign-up is disabled.',
  language: 'Language',
  // Account security (docs/account-security.md).
  verifyEmailTitle: 'Verify your email address',
  verifyEmailHelp: 'Open the link we mailed you to confirm your address.',
  resendVerificationEmail: 'Resend verification email',
  verificationEmailSent: 'If your address can be verified, a new link is on its way.',
  emailVerified: 'Your email address is verified.',
  verifyEmailLinkInvalid: 'This verification link is invalid or has expired. Please ask for a new one.',
  emailUnverified: 'Please verify your email address first.',
  changeEmail: 'Change email',
  newEmail: 'New email',
  emailChangeRequested: 'We sent a link to the new address. Your address changes once you open it.',
  confirmIdentityTitle: 'Confirm it’s you',
  confirmIdentityHelp: 'Enter your password to continue.',
  confirm: 'Confirm',
  cancel: 'Cancel',
  reauthRequired: 'Please confirm it’s you to continue.',
  passwordIncorrect: 'Your password was entered incorrectly.',
  deleteAccount: 'Delete account',
  deleteAccountWarning: 'This deletes your account and everything in it. It cannot be undone.',
  deleteAccountConfirm: 'Yes, delete my account',
  accountDeleted: 'Your account was deleted.',
  // Passkeys
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
  // Two-factor sign-in: the second step, Settings → Security, refusals.
  twoFactorTitle: 'Two-factor authentication',
  twoFactorHelp: 'Enter the 6-digit code from your authenticator app.',
  authenticationCode: 'Authentication code',
  verify: 'Verify',
  verifying: 'Verifying…',
  useRecoveryCode: 'Use a recovery code',
  useAuthenticationCode: 'Use a code from your authenticator app',
  usePassword: 'Use your password',
  recoveryCode: 'Recovery code',
  recoveryCodeHelp: 'Enter one of the recovery codes you saved when you turned on two-factor.',
  trustThisDevice: 'Trust this device for 30 days',
  codeIncorrect: 'That code is not valid. Check your authenticator app and try again.',
  recoveryCodeIncorrect: 'That recovery code is not valid or was used already.',
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
  twoFactorTurnedOff: 'Two-factor authentication is off. Your other sessions were signed out.',
  recoveryCodes: 'Recovery codes',
  recoveryCodesHelp: 'Each code signs you in once if you lose your authenticator app. Keep them somewhere safe: they are shown only now.',
  recoveryCodesLeft: 'Recovery codes left: {count}.',
  download: 'Download',
  regenerate: 'Regenerate',
  done: 'Done',
  twoFactorRequired: 'Turn on two-factor authentication to continue.',
} as const;

/** A key of the catalogs. */
export type MessageKey = keyof typeof EN;

/** Every message of one language. */
export type Messages = Readonly<Record<MessageKey, string>>;

const AR: Messages = {
  signIn: 'تسجيل الدخول',
  signingIn: 'جارٍ تسجيل الدخول…',
  username: 'اسم المستخدم',
  usernameOrEmail: 'اسم المستخدم أو البريد الإلكتروني',
  email: 'البريد الإلكتروني',
  password: 'كلمة المرور',
  confirmPassword: 'تأكيد كلمة المرور',
  firstName: 'الاسم الأول',
  lastName: 'اسم العائلة',
  createAccount: 'إنشاء حساب',
  noAccount: 'ليس لديك حساب بعد؟',
  haveAccount: 'لديك حساب بالفعل؟',
  backToSignIn: 'العودة إلى تسجيل الدخول',
  forgotPassword: 'هل نسيت كلمة المرور؟',
  passwordReset: 'إعادة تعيين كلمة المرور',
  passwordResetHelp: 'أدخل بريدك الإلكتروني وسنرسل إليك رابطًا لتعيين كلمة مرور جديدة.',
  sendResetLink: 'إرسال رابط إعادة التعيين',
  resetRequested: 'إذا كان هناك حساب بهذا العنوان، فقد أرسلنا إليه رابطًا لإعادة تعيين كلمة المرور.',
  newPassword: 'كلمة المرور الجديدة',
  confirmNewPassword: 'تأكيد كلمة المرور الجديدة',
  setPassword: 'تعيين كلمة المرور',
  passwordSet: 'تم تعيين كلمة المرور الجديدة وتسجيل دخولك.',
  resetLinkInvalid: 'رابط إعادة تعيين كلمة المرور هذا غير صالح أو انتهت صلاحيته. يُرجى طلب رابط جديد.',
  currentPassword: 'كلمة المرور الحالية',
  changePassword: 'تغيير كلمة المرور',
  passwordChanged: 'تم تغيير كلمة المرور.',
  passwordMismatch: 'حقلا كلمة المرور غير متطابقين.',
  logOut: 'تسجيل الخروج',
  invalidLogin: 'يُرجى إدخال اسم مستخدم وكلمة مرور صحيحين. لاحظ أن كلا الحقلين قد يكونان حساسين لحالة الأحرف.',
  loginRequired: 'يُرجى تسجيل الدخول للمتابعة.',
  permissionDenied: 'ليست لديك صلاحية للقيام بذلك.',
  tooManyAttempts: 'محاولات كثيرة جدًا. حاول مرة أخرى لاحقًا.',
  correctErrors: 'يُرجى تصحيح الأخطاء أدناه.',
  required: 'هذا الحقل مطلوب.',
  signupDisabled: 'التسجيل معطّل.',
  language: 'اللغة',
  verifyEmailTitle: 'تحقّق من عنوان بريدك الإلكتروني',
  verifyEmailHelp: 'افتح الرابط الذي أرسلناه إليك لتأكيد عنوانك.',
  resendVerificationEmail: 'إعادة إرسال رسالة التحقق',
  verificationEmailSent: 'إذا كان من الممكن التحقق من عنوانك، فإن رابطًا جديدًا في طريقه إليك.',
  emailVerified: 'تم التحقق من عنوان بريدك الإلكتروني.',
  verifyEmailLinkInvalid: 'رابط التحقق هذا غير صالح أو انتهت صلاحيته. يُرجى طلب رابط جديد.',
  emailUnverified: 'يُرجى التحقق من عنوان بريدك الإلكتروني أولًا.',
  changeEmail: 'تغيير البريد الإلكتروني',
  newEmail: 'البريد الإلكتروني الجديد',
  emailChangeRequested: 'أرسلنا رابطًا إلى العنوان الجديد. يتغيّر عنوانك بعد فتحه.',
  confirmIdentityTitle: 'تأكيد هويتك',
  confirmIdentityHelp: 'أدخل كلمة المرور للمتابعة.',
  confirm: 'تأكيد',
  cancel: 'إلغاء',
  reauthRequired: 'يُرجى تأكيد هويتك للمتابعة.',
  passwordIncorrect: 'كلمة المرور التي أدخلتها غير صحيحة.',
  deleteAccount: 'حذف الحساب',
  deleteAccountWarning: 'سيؤدي هذا إلى حذف حسابك وكل ما فيه. لا يمكن التراجع عن ذلك.',
  deleteAccountConfirm: 'نعم، احذف حسابي',
  accountDeleted: 'تم حذف حسابك.',
  // Passkeys
  passkeysUnavailable: 'مفاتيح المرور غير متاحة على هذا الموقع بعد.',
  passkeyExpired: 'انتهت مهلة طلب مفتاح المرور. يُرجى المحاولة مرة أخرى.',
  passkeyNotAccepted: 'لم يُقبل مفتاح المرور هذا.',
  passkeyAlreadyAdded: 'مفتاح المرور هذا مضاف بالفعل إلى حساب.',
  passkeyDefaultName: 'مفتاح مرور',
  passkeyAdded: 'تمت إضافة مفتاح المرور.',
  passkeyRemoved: 'تمت إزالة مفتاح المرور.',
  passwordRemoved: 'تمت إزالة كلمة المرور. سجّل الدخول بمفتاح مرور من الآن فصاعدًا.',
  passwordNeedsPasskey: 'أضف مفتاح مرور قبل إزالة كلمة المرور.',
  noPasswordToRemove: 'لا توجد كلمة مرور لحسابك.',
  lastSignInWay: 'هذه طريقتك الوحيدة لتسجيل الدخول. أضف طريقة أخرى أولًا.',
  // Two-factor sign-in.
  twoFactorTitle: 'المصادقة الثنائية',
  twoFactorHelp: 'أدخل الرمز المكوّن من 6 أرقام من تطبيق المصادقة.',
  authenticationCode: 'رمز المصادقة',
  verify: 'تحقّق',
  verifying: 'جارٍ التحقق…',
  useRecoveryCode: 'استخدم رمز استرداد',
  useAuthenticationCode: 'استخدم رمزًا من تطبيق المصادقة',
  usePassword: 'استخدم كلمة المرور',
  recoveryCode: 'رمز الاسترداد',
  recoveryCodeHelp: 'أدخل أحد رموز الاسترداد التي حفظتها عند تشغيل المصادقة الثنائية.',
  trustThisDevice: 'الوثوق بهذا الجهاز لمدة 30 يومًا',
  codeIncorrect: 'هذا الرمز غير صالح. تحقّق من تطبيق المصادقة وحاول مرة أخرى.',
  recoveryCodeIncorrect: 'رمز الاسترداد هذا غير صالح أو استُخدم من قبل.',
  secondStepExpired: 'استغرق تسجيل الدخول وقتًا طويلًا. يُرجى تسجيل الدخول مرة أخرى.',
  security: 'الأمان',
  setUpAuthenticatorApp: 'إعداد تطبيق المصادقة',
  setupKey: 'مفتاح الإعداد',
  setupHelp: 'امسح رمز QR بتطبيق المصادقة، أو اكتب فيه مفتاح الإعداد. ثم أدخل الرمز الذي يعرضه.',
  qrCodeLabel: 'رمز QR لتطبيق المصادقة',
  turnOnTwoFactor: 'تشغيل المصادقة الثنائية',
  turnOffTwoFactor: 'إيقاف المصادقة الثنائية',
  twoFactorIsOn: 'المصادقة الثنائية مفعّلة.',
  twoFactorIsOff: 'المصادقة الثنائية متوقفة. أضف خطوة ثانية إلى تسجيل دخولك باستخدام تطبيق مصادقة.',
  twoFactorTurnedOff: 'أُوقفت المصادقة الثنائية. وسُجّل خروج جلساتك الأخرى.',
  recoveryCodes: 'رموز الاسترداد',
  recoveryCodesHelp: 'كل رمز يتيح لك تسجيل الدخول مرة واحدة إذا فقدت تطبيق المصادقة. احفظها في مكان آمن: فهي لا تُعرض إلا الآن.',
  recoveryCodesLeft: 'رموز الاسترداد المتبقية: {count}.',
  download: 'تنزيل',
  regenerate: 'إعادة الإنشاء',
  done: 'تم',
  twoFactorRequired: 'شغّل المصادقة الثنائية للمتابعة.',
};

/** The shipped catalogs, by language code. */
export const CATALOGS: Readonly<Record<string, Messages>> = Object.freeze({ en: EN, ar: AR });

/** Languages written right to left (base codes); every other one is left to right. */
const RTL_LANGUAGES: ReadonlySet<string> = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ku', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** Direction of the shipped languages; {@link directionOf} answers for any code. */
export const LANGUAGE_DIRECTIONS: Readonly<Record<string, TextDirection>> = Object.freeze({ en: 'ltr', ar: 'rtl' });

/** The base language of a tag: `ar-EG` → `ar`. */
function baseOf(code: string): string {
  return code.split(/[-_]/)[0]!.toLowerCase();
}

/**
 * The text direction of a language code (region tags follow their base).
 *
 * @example
 * directionOf('ar-EG'); // 'rtl'
 */
export function directionOf(language: string): TextDirection {
  if (Object.hasOwn(LANGUAGE_DIRECTIONS, language)) return LANGUAGE_DIRECTIONS[language]!;
  return RTL_LANGUAGES.has(baseOf(language)) ? 'rtl' : 'ltr';
}

/** The catalog of a language or of its base language, else English. */
function catalogOf(language: string): Messages {
  if (Object.hasOwn(CATALOGS, language)) return CATALOGS[language]!;
  const base = baseOf(language);
  return Object.hasOwn(CATALOGS, base) ? CATALOGS[base]! : EN;
}

/**
 * The messages of a language, with overrides applied. A language without a
 * catalog falls back to its base language, then to English. An override key
 * (`signIn`) replaces that message in every language; a key prefixed with a
 * language (`ar.signIn`) replaces it in that language only, and wins.
 * Keys outside the catalog are ignored.
 *
 * @example
 * const t = messagesFor('ar', { 'ar.signIn': 'الدخول' });
 * t.signIn; // 'الدخول'
 */
export function messagesFor(language: string, overrides: Readonly<Record<string, string>> = {}): Messages {
  const catalog = catalogOf(language);
  let out: Record<string, string> | null = null;
  let scoped: [string, string][] | null = null;
  for (const [key, value] of Object.entries(overrides)) {
    const dot = key.lastIndexOf('.');
    if (dot === -1) {
      if (Object.hasOwn(EN, key)) (out ??= { ...catalog })[key] = value;
    } else if (key.slice(0, dot).toLowerCase() === language.toLowerCase() && Object.hasOwn(EN, key.slice(dot + 1))) {
      (scoped ??= []).push([key.slice(dot + 1), value]);
    }
  }
  if (scoped) for (const [key, value] of scoped) (out ??= { ...catalog })[key] = value;
  return (out as Messages | null) ?? catalog;
}

/**
 * One message of a language, with overrides applied (see {@link messagesFor}).
 *
 * @example
 * messageFor('ar', 'logOut'); // 'تسجيل الخروج'
 */
export function messageFor(language: string, key: MessageKey, overrides: Readonly<Record<string, string>> = {}): string {
  return messagesFor(language, overrides)[key];
}
