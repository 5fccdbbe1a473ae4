import type { EventContext } from '../bridge/trpc';
import { baseLanguageOf, withOverrides } from '../i18n/overrides';

/**
 * What the admin procedures answer when they refuse, in the admin's language
 * (the event's: cookie, session, browser). Kept out of the shared auth catalog
 * (`i18n/catalog.ts`), which the sign-in pages' bundle carries: only admins
 * read these. `{perm}` is filled in.
 */
const EN = {
  noSuchUser: 'No such user.',
  noSuchGroup: 'No such group.',
  superuserAccount: 'Only superusers change a superuser account.',
  superuserStatus: 'Only superusers change staff and superuser status.',
  emailTaken: 'Another user has this email address.',
  noEmail: 'This user has no email address.',
  inactive: 'This user is inactive: activate them first.',
  noTwoFactor: 'This user has no two-factor authentication.',
  groupTaken: 'A group with this name already exists.',
  ownPermission: 'This would remove your own {perm} permission: ask another admin to make this change.',
  ownDeactivation: 'You cannot deactivate your own account.',
  ownStatus: 'You cannot remove your own staff or superuser status.',
  lastAdmin: 'You are the last admin: you cannot delete your own account.',
} as const;

export type AdminRefusal = keyof typeof EN;

const AR: Readonly<Record<AdminRefusal, string>> = {
  noSuchUser: 'لا يوجد مستخدم بهذا المعرّف.',
  noSuchGroup: 'لا توجد مجموعة بهذا المعرّف.',
  superuserAccount: 'لا يغيّر حساب المستخدم الخارق إلا مستخدم خارق.',
  superuserStatus: 'لا يغيّر صفة الطاقم والمستخدم الخارق إلا مستخدم خارق.',
  emailTaken: 'لدى مستخدم آخر عنوان البريد الإلكتروني هذا.',
  noEmail: 'ليس لهذا المستخدم عنوان بريد إلكتروني.',
  inactive: 'هذا المستخدم غير نشط: فعّله أولًا.',
  noTwoFactor: 'لم يفعّل هذا المستخدم المصادقة الثنائية.',
  groupTaken: 'توجد مجموعة بهذا الاسم.',
  ownPermission: 'سيزيل هذا صلاحيتك {perm}: اطلب من مسؤول آخر إجراء هذا التغيير.',
  ownDeactivation: 'لا يمكنك تعطيل حسابك.',
  ownStatus: 'لا يمكنك إزالة صفة الطاقم أو المستخدم الخارق عن نفسك.',
  lastAdmin: 'أنت آخر مسؤول: لا يمكنك حذف حسابك.',
};

const CATALOGS: Readonly<Record<string, Readonly<Record<AdminRefusal, string>>>> = { en: EN, ar: AR };

/**
 * A refusal's text in the event's language (its base language, else
 * English), overridable through `auth.messages` with the auth pages' rules:
 * `noSuchUser` replaces it in every language, `ar.noSuchUser` in Arabic
 * only, and wins. `{perm}` is filled in.
 *
 * @example
 * throw new TRPCError({ code: 'NOT_FOUND', message: adminRefusal(ctx, 'noSuchUser') });
 */
export function adminRefusal(ctx: EventContext, key: AdminRefusal, vars: { perm?: string } = {}): string {
  const language = ctx.request.languageCode;
  const texts = withOverrides(catalogOf(language), EN, language, ctx.runtime.config.auth.messages);
  return texts[key].replace('{perm}', vars.perm ?? '');
}

function catalogOf(language: string): Readonly<Record<AdminRefusal, string>> {
  const base = baseLanguageOf(language);
  return Object.hasOwn(CATALOGS, language) ? CATALOGS[language]! : Object.hasOwn(CATALOGS, base) ? CATALOGS[base]! : EN;
}
