/** What each audit event type reads as on the pages, in English. */
export const AUDIT_EVENT_LABELS: Readonly<Record<string, string>> = {
  'login.succeeded': 'Signed in',
  'login.failed': 'Sign-in failed',
  logout: 'Signed out',
  'session.revoked': 'Session revoked',
  'password.changed': 'Password changed',
  'password.reset': 'Password reset',
  'password.removed': 'Password removed',
  'email.changed': 'Email changed',
  'email.verified': 'Email verified',
  'two_factor.enabled': 'Two-factor turned on',
  'two_factor.disabled': 'Two-factor turned off',
  'two_factor.failed': 'Two-factor code refused',
  'recovery_code.used': 'Recovery code used',
  'recovery_codes.regenerated': 'Recovery codes regenerated',
  'passkey.added': 'Passkey added',
  'passkey.removed': 'Passkey removed',
  'provider.connected': 'Provider connected',
  'provider.disconnected': 'Provider disconnected',
  'reauth.succeeded': 'Identity confirmed',
  'reauth.failed': 'Identity confirmation failed',
  'account.deleted': 'Account deleted',
  'admin.user_updated': 'User edited',
  'admin.user_deactivated': 'User deactivated',
  'admin.user_activated': 'User activated',
  'admin.user_deleted': 'User deleted',
  'admin.staff_changed': 'Staff status changed',
  'admin.superuser_changed': 'Superuser status changed',
  'admin.groups_changed': 'Groups changed',
  'admin.permissions_changed': 'Permissions changed',
  'admin.signed_out_everywhere': 'Signed out everywhere',
  'admin.password_reset_sent': 'Password-reset email sent',
  'admin.two_factor_reset': 'Two-factor reset',
  'admin.group_created': 'Group created',
  'admin.group_renamed': 'Group renamed',
  'admin.group_deleted': 'Group deleted',
  'admin.group_permissions_changed': 'Group permissions changed',
  'admin.group_members_changed': 'Group members changed',
};

/** What each audit event type reads as in Arabic. */
export const AUDIT_EVENT_LABELS_AR: Readonly<Record<string, string>> = {
  'login.succeeded': 'تسجيل دخول',
  'login.failed': 'فشل تسجيل الدخول',
  logout: 'تسجيل خروج',
  'session.revoked': 'إلغاء جلسة',
  'password.changed': 'تغيير كلمة المرور',
  'password.reset': 'إعادة تعيين كلمة المرور',
  'email.changed': 'تغيير البريد الإلكتروني',
  'email.verified': 'التحقق من البريد الإلكتروني',
  'two_factor.enabled': 'تشغيل التحقق بخطوتين',
  'two_factor.disabled': 'إيقاف التحقق بخطوتين',
  'two_factor.failed': 'رفض رمز التحقق بخطوتين',
  'recovery_codes.regenerated': 'إنشاء رموز استرداد جديدة',
  'recovery_code.used': 'استخدام رمز استرداد',
  'passkey.added': 'إضافة مفتاح مرور',
  'passkey.removed': 'إزالة مفتاح مرور',
  'password.removed': 'إزالة كلمة المرور',
  'provider.connected': 'ربط مزوّد',
  'provider.disconnected': 'فصل مزوّد',
  'reauth.succeeded': 'تأكيد الهوية',
  'reauth.failed': 'فشل تأكيد الهوية',
  'account.deleted': 'حذف الحساب',
  'admin.user_updated': 'تعديل مستخدم',
  'admin.user_deactivated': 'تعطيل مستخدم',
  'admin.user_activated': 'تفعيل مستخدم',
  'admin.user_deleted': 'حذف مستخدم',
  'admin.staff_changed': 'تغيير حالة الطاقم',
  'admin.superuser_changed': 'تغيير حالة المستخدم الخارق',
  'admin.groups_changed': 'تغيير المجموعات',
  'admin.permissions_changed': 'تغيير الصلاحيات',
  'admin.signed_out_everywhere': 'تسجيل الخروج من كل مكان',
  'admin.password_reset_sent': 'إرسال رسالة إعادة تعيين كلمة المرور',
  'admin.two_factor_reset': 'إعادة تعيين التحقق بخطوتين',
  'admin.group_created': 'إنشاء مجموعة',
  'admin.group_renamed': 'إعادة تسمية مجموعة',
  'admin.group_deleted': 'حذف مجموعة',
  'admin.group_permissions_changed': 'تغيير صلاحيات مجموعة',
  'admin.group_members_changed': 'تغيير أعضاء مجموعة',
};

/** The event labels of a language (its base language, else English). */
export function auditLabelsFor(language: string): Readonly<Record<string, string>> {
  return language.split(/[-_]/)[0]!.toLowerCase() === 'ar' ? AUDIT_EVENT_LABELS_AR : AUDIT_EVENT_LABELS;
}

/** The label of an event type in `language` (English by default; the type itself when unknown). */
export function auditLabel(type: string, language = 'en'): string {
  return auditLabelsFor(language)[type] ?? type;
}

/** `2026-01-31 09:05` in the browser's time zone. */
export function formatWhen(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}
