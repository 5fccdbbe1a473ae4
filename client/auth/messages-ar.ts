import { AR_MESSAGES } from '../../server/shared';
import type { AccountMessages, AccountPageMessageKey } from './account-messages';
import type { PageMessageKey } from './messages';

/*
 * The Arabic texts of the canned pages: a chunk of its own, fetched the first
 * time a page is shown in Arabic (see `AUTH_CATALOGS` in `messages.ts`).
 */

const PAGE_AR: Readonly<Record<PageMessageKey, string>> = {
  createAnAccount: 'إنشاء حساب جديد',
  signInInstead: 'تسجيل الدخول بدلًا من ذلك',
  creatingAccount: 'جارٍ إنشاء الحساب…',
  sendingResetLink: 'جارٍ الإرسال…',
  setNewPassword: 'تعيين كلمة مرور جديدة',
  settingPassword: 'جارٍ تعيين كلمة المرور…',
  checkingResetLink: 'جارٍ التحقق من الرابط…',
  askForNewLink: 'اطلب رابطًا جديدًا',
  loggingOut: 'جارٍ تسجيل الخروج…',
  emailHint: 'اختياري. مطلوب لإعادة تعيين كلمة مرور منسية.',
  tryAgainIn: 'محاولات كثيرة جدًا. حاول مرة أخرى بعد {seconds} ثانية.',
  busyTryAgainIn: 'الخادم مشغول. حاول مرة أخرى بعد {seconds} ثانية.',
  somethingWentWrong: 'حدث خطأ ما. يُرجى المحاولة مرة أخرى.',
  connecting: 'جارٍ الاتصال…',
  loadingPage: 'جارٍ التحميل…',
  pageLoadFailed: 'تعذّر تحميل هذه الصفحة. أعد تحميلها للمحاولة مرة أخرى.',
  languageLoadFailed: 'تعذّر تحميل نصوص هذه اللغة. أعد تحميل الصفحة للمحاولة مرة أخرى.',
  continueWith: 'المتابعة باستخدام {provider}',
  orSignInWith: 'أو سجّل الدخول باستخدام',
  emailSignInLink: 'أرسل لي رابط تسجيل الدخول بالبريد',
  sendingSignInLink: 'جارٍ الإرسال…',
  signInLinkSent: 'إن كان هناك حساب بهذا العنوان فرابط تسجيل الدخول في طريقه إليه. يعمل مرة واحدة خلال 15 دقيقة.',
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
  passkeyCancelled: 'أُغلق طلب مفتاح المرور أو انتهت مهلته. حاول مرة أخرى عندما تكون مستعدًا.',
  passkeyUnsupported: 'لا يمكن لهذا المتصفح استخدام مفاتيح المرور هنا.',
  passkeyAlreadyOnDevice: 'يحمل هذا الجهاز مفتاح مرور لحسابك بالفعل.',
  passkeyFailed: 'تعذّر استخدام مفتاح المرور. يُرجى المحاولة مرة أخرى.',
};

const ACCOUNT_PAGE_AR: Readonly<Record<AccountPageMessageKey, string>> = {
  changingPassword: 'جارٍ تغيير كلمة المرور…',
  connectedAccounts: 'الحسابات المرتبطة',
  disconnect: 'فصل',
  usePasskey: 'استخدام مفتاح مرور',
  confirmWithPasskeyHelp: 'استخدم أحد مفاتيح المرور للمتابعة.',
  passkeysHelp: 'سجّل الدخول ببصمتك أو وجهك أو قفل الشاشة بدلًا من كلمة المرور.',
  noPasskeys: 'لا توجد مفاتيح مرور بعد.',
  passkeyName: 'الاسم',
  passkeyAddedOn: 'أُضيف {date}',
  passkeyLastUsed: 'آخر استخدام {date}',
  passkeyNeverUsed: 'لم يُستخدم بعد',
  passkeySynced: 'متزامن',
  rename: 'إعادة التسمية',
  removePassword: 'إزالة كلمة المرور',
  removePasswordHelp: 'سجّل الدخول بمفاتيح المرور فقط. يمكنك تعيين كلمة مرور جديدة من «هل نسيت كلمة المرور؟» عند الحاجة.',
  removePasswordNeedsPasskey: 'أضف مفتاح مرور قبل إزالة كلمة المرور.',
  noPasswordSet: 'لا توجد كلمة مرور لحسابك: تسجّل الدخول بمفتاح مرور.',
  connect: 'ربط',
  notConnected: 'غير مرتبط',
  passkeys: 'مفاتيح المرور',
  addPasskey: 'إضافة مفتاح مرور',
  save: 'حفظ',
  remove: 'إزالة',
};

/**
 * Every Arabic text of the canned pages: the shared catalog and the
 * page-only texts, those of the pages fetched on first use included (they
 * are few, and come with the language rather than as a chunk of their own).
 */
export const AUTH_AR: AccountMessages = { ...AR_MESSAGES, ...PAGE_AR, ...ACCOUNT_PAGE_AR };
