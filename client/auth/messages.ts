import { messagesFor, type Messages } from '../../server/shared';

/**
 * Texts only the Solid pages need (titles, busy labels, links), next to the
 * shared catalog in `server/i18n/catalog.ts`. Same override rules: a plain
 * key replaces the text in every language, `lang.key` in one language only.
 */
const PAGE_EN = {
  createAnAccount: 'Create an account',
  signInInstead: 'Sign in instead',
  creatingAccount: 'Creating account…',
  sendingResetLink: 'Sending…',
  setNewPassword: 'Set a new password',
  settingPassword: 'Setting password…',
  checkingResetLink: 'Checking your link…',
  askForNewLink: 'Ask for a new link',
  changingPassword: 'Changing password…',
  loggingOut: 'Logging out…',
  emailHint: 'Optional. Needed to reset a forgotten password.',
  tryAgainIn: 'Too many attempts. Try again in {seconds} seconds.',
  busyTryAgainIn: 'The server is busy. Try again in {seconds} seconds.',
  somethingWentWrong: 'Something went wrong. Please try again.',
  connecting: 'Connecting…',
  loadingPage: 'Loading…',
  pageLoadFailed: 'This page could not be loaded. Reload to try again.',
  continueWith: 'Continue with {provider}',
  orSignInWith: 'Or sign in with',
  emailSignInLink: 'Email me a sign-in link',
  sendingSignInLink: 'Sending…',
  signInLinkSent: 'If an account has this address, a sign-in link is on its way. It works once, within 15 minutes.',
  connectedAccounts: 'Connected accounts',
  connect: 'Connect',
  disconnect: 'Disconnect',
  notConnected: 'Not connected',
  oauth_state: 'That sign-in could not be checked. Please start again.',
  oauth_denied: 'The sign-in was cancelled at the provider.',
  oauth_failed: 'The provider’s answer could not be used. Please try again.',
  oauth_account_exists:
    'An account already uses this address. Sign in with your password, then connect the provider from Settings → Connected accounts.',
  oauth_signup_closed: 'No account is linked to this provider, and sign-up is closed.',
  oauth_inactive: 'This account is inactive.',
  oauth_identity_taken: 'That provider account is already connected to another user.',
  oauth_too_many: 'Too many attempts. Try again in a minute.',
  link_invalid: 'This sign-in link is invalid, used or expired. Ask for a new one.',
  // Passkeys
  signInWithPasskey: 'Sign in with a passkey',
  waitingForPasskey: 'Waiting for your passkey…',
  usePasskey: 'Use a passkey',
  confirmWithPasskeyHelp: 'Use one of your passkeys to continue.',
  passkeys: 'Passkeys',
  passkeysHelp: 'Sign in with your fingerprint, face or screen lock instead of a password.',
  addPasskey: 'Add a passkey',
  noPasskeys: 'No passkeys yet.',
  passkeyName: 'Name',
  passkeyAddedOn: 'Added {date}',
  passkeyLastUsed: 'Last used {date}',
  passkeyNeverUsed: 'Never used',
  passkeySynced: 'Synced',
  rename: 'Rename',
  save: 'Save',
  remove: 'Remove',
  removePassword: 'Remove password',
  removePasswordHelp: 'Sign in with your passkeys only. “Forgot your password?” sets a new one if you need it.',
  removePasswordNeedsPasskey: 'Add a passkey before you remove your password.',
  noPasswordSet: 'Your account has no password: you sign in with a passkey.',
  passkeyCancelled: 'The passkey prompt was closed or timed out. Try again when you are ready.',
  passkeyUnsupported: 'This browser cannot use passkeys here.',
  passkeyAlreadyOnDevice: 'This device already holds a passkey for your account.',
  passkeyFailed: 'The passkey could not be used. Please try again.',
} as const;

/** A key of the page-only texts. */
export type PageMessageKey = keyof typeof PAGE_EN;

/** Every text the canned pages show: the shared catalog plus the page-only texts. */
export type AuthMessages = Messages & Readonly<Record<PageMessageKey, string>>;

const PAGE_AR: Readonly<Record<PageMessageKey, string>> = {
  createAnAccount: 'إنشاء حساب جديد',
  signInInstead: 'تسجيل الدخول بدلًا من ذلك',
  creatingAccount: 'جارٍ إنشاء الحساب…',
  sendingResetLink: 'جارٍ الإرسال…',
  setNewPassword: 'تعيين كلمة مرور جديدة',
  settingPassword: 'جارٍ تعيين كلمة المرور…',
  checkingResetLink: 'جارٍ التحقق من الرابط…',
  askForNewLink: 'اطلب رابطًا جديدًا',
  changingPassword: 'جارٍ تغيير كلمة المرور…',
  loggingOut: 'جارٍ تسجيل الخروج…',
  emailHint: 'اختياري. مطلوب لإعادة تعيين كلمة مرور منسية.',
  tryAgainIn: 'محاولات كثيرة جدًا. حاول مرة أخرى بعد {seconds} ثانية.',
  busyTryAgainIn: 'الخادم مشغول. حاول مرة أخرى بعد {seconds} ثانية.',
  somethingWentWrong: 'حدث خطأ ما. يُرجى المحاولة مرة أخرى.',
  connecting: 'جارٍ الاتصال…',
  loadingPage: 'جارٍ التحميل…',
  pageLoadFailed: 'تعذّر تحميل هذه الصفحة. أعد تحميلها للمحاولة مرة أخرى.',
  continueWith: 'المتابعة باستخدام {provider}',
  orSignInWith: 'أو سجّل الدخول باستخدام',
  emailSignInLink: 'أرسل لي رابط تسجيل الدخول بالبريد',
  sendingSignInLink: 'جارٍ الإرسال…',
  signInLinkSent: 'إن كان هناك حساب بهذا العنوان فرابط تسجيل الدخول في طريقه إليه. يعمل مرة واحدة خلال 15 دقيقة.',
  connectedAccounts: 'الحسابات المرتبطة',
  connect: 'ربط',
  disconnect: 'فصل',
  notConnected: 'غير مرتبط',
  oauth_state: 'تعذّر التحقق من تسجيل الدخول هذا. يُرجى البدء من جديد.',
  oauth_denied: 'أُلغي تسجيل الدخول لدى المزوّد.',
  oauth_failed: 'تعذّر استخدام ردّ المزوّد. يُرجى المحاولة مرة أخرى.',
  oauth_account_exists: 'هناك حساب يستخدم هذا العنوان. سجّل الدخول بكلمة المرور ثم اربط المزوّد من الإعدادات ← الحسابات المرتبطة.',
  oauth_signup_closed: 'لا حساب مرتبطًا بهذا المزوّد، والتسجيل مغلق.',
  oauth_inactive: 'هذا الحساب غير نشط.',
  oauth_identity_taken: 'حساب المزوّد هذا مرتبط بمستخدم آخر.',
  oauth_too_many: 'محاولات كثيرة جدًا. حاول مرة أخرى بعد دقيقة.',
  link_invalid: 'رابط تسجيل الدخول هذا غير صالح أو مستخدم أو منتهي الصلاحية. اطلب رابطًا جديدًا.',
  // Passkeys
  signInWithPasskey: 'تسجيل الدخول بمفتاح مرور',
  waitingForPasskey: 'في انتظار مفتاح المرور…',
  usePasskey: 'استخدام مفتاح مرور',
  confirmWithPasskeyHelp: 'استخدم أحد مفاتيح المرور للمتابعة.',
  passkeys: 'مفاتيح المرور',
  passkeysHelp: 'سجّل الدخول ببصمتك أو وجهك أو قفل الشاشة بدلًا من كلمة المرور.',
  addPasskey: 'إضافة مفتاح مرور',
  noPasskeys: 'لا توجد مفاتيح مرور بعد.',
  passkeyName: 'الاسم',
  passkeyAddedOn: 'أُضيف {date}',
  passkeyLastUsed: 'آخر استخدام {date}',
  passkeyNeverUsed: 'لم يُستخدم بعد',
  passkeySynced: 'متزامن',
  rename: 'إعادة التسمية',
  save: 'حفظ',
  remove: 'إزالة',
  removePassword: 'إزالة كلمة المرور',
  removePasswordHelp: 'سجّل الدخول بمفاتيح المرور فقط. يمكنك تعيين كلمة مرور جديدة من «هل نسيت كلمة المرور؟» عند الحاجة.',
  removePasswordNeedsPasskey: 'أضف مفتاح مرور قبل إزالة كلمة المرور.',
  noPasswordSet: 'لا توجد كلمة مرور لحسابك: تسجّل الدخول بمفتاح مرور.',
  passkeyCancelled: 'أُغلق طلب مفتاح المرور أو انتهت مهلته. حاول مرة أخرى عندما تكون مستعدًا.',
  passkeyUnsupported: 'لا يمكن لهذا المتصفح استخدام مفاتيح المرور هنا.',
  passkeyAlreadyOnDevice: 'يحمل هذا الجهاز مفتاح مرور لحسابك بالفعل.',
  passkeyFailed: 'تعذّر استخدام مفتاح المرور. يُرجى المحاولة مرة أخرى.',
};

const PAGE_CATALOGS: Readonly<Record<string, Readonly<Record<PageMessageKey, string>>>> = { en: PAGE_EN, ar: PAGE_AR };

function pageCatalogOf(language: string): Readonly<Record<PageMessageKey, string>> {
  const base = language.split(/[-_]/)[0]!.toLowerCase();
  return PAGE_CATALOGS[language] ?? PAGE_CATALOGS[base] ?? PAGE_EN;
}

/**
 * The texts of the canned pages in `language`: the shared catalog
 * (`messagesFor`) and the page-only texts, each with `overrides` applied
 * (`{ signIn: 'Log in' }` everywhere, `{ 'ar.signIn': '…' }` in Arabic only).
 *
 * @example
 * const t = authMessagesFor('en', { createAnAccount: 'Join us' });
 * t.signIn;          // 'Sign in'
 * t.createAnAccount; // 'Join us'
 */
export function authMessagesFor(language: string, overrides: Readonly<Record<string, string>> = {}): AuthMessages {
  return { ...messagesFor(language, overrides), ...withOverrides(pageCatalogOf(language), PAGE_EN, language, overrides) };
}

/**
 * A catalog of `language` with `overrides` applied, for keys `known` has: a
 * plain key replaces a text in every language, `lang.key` in `language`
 * only, and wins. The auth pages' and the admin console's texts follow it.
 *
 * @example
 * withOverrides(AR, EN, 'ar', { 'ar.save': 'احفظ' }).save; // 'احفظ'
 */
export function withOverrides<K extends string>(
  catalog: Readonly<Record<K, string>>,
  known: Readonly<Record<K, string>>,
  language: string,
  overrides: Readonly<Record<string, string>>,
): Readonly<Record<K, string>> {
  let out: Record<string, string> | null = null;
  const scoped: [string, string][] = [];
  for (const [key, value] of Object.entries(overrides)) {
    const dot = key.lastIndexOf('.');
    if (dot === -1) {
      if (Object.hasOwn(known, key)) (out ??= { ...catalog })[key] = value;
    } else if (key.slice(0, dot).toLowerCase() === language.toLowerCase() && Object.hasOwn(known, key.slice(dot + 1))) {
      scoped.push([key.slice(dot + 1), value]);
    }
  }
  for (const [key, value] of scoped) (out ??= { ...catalog })[key] = value;
  return (out as Record<K, string> | null) ?? catalog;
}

/**
 * Fills `{name}` placeholders of a message.
 *
 * @example
 * formatMessage('Try again in {seconds} seconds.', { seconds: 30 }); // 'Try again in 30 seconds.'
 */
export function formatMessage(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? String(values[name]) : whole));
}
