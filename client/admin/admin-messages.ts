import { createMemo, type Accessor } from 'solid-js';
import { useLanguage, useSite, withOverrides } from '../auth';

/**
 * The admin console's texts, English and Arabic. Same override rules as the
 * auth pages' (`auth.messages` in config, through the `site` slice): a plain
 * key replaces a text in every language, `lang.key` in one language only.
 */
const ADMIN_EN = {
  administration: 'Administration',
  staffOnly: 'Only staff members can open the admin.',
  users: 'Users',
  groups: 'Groups',
  auditLog: 'Audit log',
  loading: 'Loading…',
  pages: 'Pages',
  previous: 'Previous',
  next: 'Next',
  pageOfUsers: 'Page {page} of {pages} · {total} users',
  pageOfEvents: 'Page {page} of {pages} · {total} events',
  noneYet: 'None yet.',
  permissions: 'Permissions',
  savePermissions: 'Save permissions',
  permissionsSaved: 'Permissions saved.',
  failed: 'That did not work. Please try again.',
  search: 'Search',
  searchPlaceholder: 'Username, email or name',
  active: 'Active',
  staff: 'Staff',
  superuser: 'Superuser',
  group: 'Group',
  any: 'Any',
  yes: 'Yes',
  no: 'No',
  username: 'Username',
  email: 'Email',
  name: 'Name',
  status: 'Status',
  joined: 'Joined',
  lastSignIn: 'Last sign-in',
  never: 'Never',
  inactive: 'Inactive',
  noUsersMatch: 'No users match.',
  event: 'Event',
  allEvents: 'All events',
  user: 'User',
  actorOrTarget: 'Actor or target username',
  when: 'When',
  by: 'By',
  account: 'Account',
  ip: 'IP',
  device: 'Device',
  commandLine: 'command line',
  noEventsMatch: 'No events match.',
  newGroup: 'New group',
  createGroup: 'Create group',
  groupCreated: 'Group created.',
  members: 'Members',
  noGroupsYet: 'No groups yet.',
  noSuchGroup: 'No such group.',
  rename: 'Rename',
  groupRenamed: 'Group renamed.',
  deleteGroup: 'Delete group',
  groupDeleted: 'Group deleted.',
  noMembers: 'No members.',
  remove: 'Remove',
  memberRemoved: 'Member removed.',
  addMember: 'Add member',
  memberAdded: 'Member added.',
  noUserNamed: 'No user named "{name}".',
  noSuchUser: 'No such user.',
  profile: 'Profile',
  firstName: 'First name',
  lastName: 'Last name',
  save: 'Save',
  userSaved: 'User saved.',
  joinedLine: 'Joined {joined} · last sign-in {last}',
  neverLower: 'never',
  activate: 'Activate',
  userActivated: 'User activated.',
  deactivate: 'Deactivate',
  userDeactivated: 'User deactivated and signed out.',
  sendPasswordReset: 'Send password-reset email',
  passwordResetSent: 'Password-reset email sent.',
  staffStatus: 'Staff status',
  staffSaved: 'Staff status saved.',
  superuserStatus: 'Superuser status',
  superuserSaved: 'Superuser status saved.',
  saveGroups: 'Save groups',
  groupsSaved: 'Groups saved.',
  sessions: 'Sessions',
  signOutEverywhere: 'Sign out everywhere',
  signedOutEverywhere: 'Signed out everywhere.',
  noOpenSessions: 'No open sessions.',
  unknownDevice: 'Unknown device',
  ipOf: 'IP {ip}',
  unknown: 'unknown',
  signedInAt: 'Signed in {when}',
  lastSeenAt: 'Last seen {when}',
  deleteUser: 'Delete user',
  deleteUserWarning: 'This deletes {username} and everything of theirs, and signs them out everywhere. It cannot be undone.',
  deleteUserConfirm: 'Yes, delete {username}',
  userDeleted: 'User deleted.',
  cancel: 'Cancel',
  listSeparator: ', ',
} as const;

/** A key of the admin console's texts. */
export type AdminMessageKey = keyof typeof ADMIN_EN;

/** Every text of the admin console in one language. */
export type AdminMessages = Readonly<Record<AdminMessageKey, string>>;

const ADMIN_AR: AdminMessages = {
  administration: 'الإدارة',
  staffOnly: 'لا يفتح الإدارة إلا أعضاء الطاقم.',
  users: 'المستخدمون',
  groups: 'المجموعات',
  auditLog: 'سجل التدقيق',
  loading: 'جارٍ التحميل…',
  pages: 'الصفحات',
  previous: 'السابق',
  next: 'التالي',
  pageOfUsers: 'الصفحة {page} من {pages} · {total} مستخدم',
  pageOfEvents: 'الصفحة {page} من {pages} · {total} حدث',
  noneYet: 'لا شيء بعد.',
  permissions: 'الصلاحيات',
  savePermissions: 'حفظ الصلاحيات',
  permissionsSaved: 'تم حفظ الصلاحيات.',
  failed: 'لم ينجح ذلك. يُرجى المحاولة مرة أخرى.',
  search: 'بحث',
  searchPlaceholder: 'اسم المستخدم أو البريد الإلكتروني أو الاسم',
  active: 'نشط',
  staff: 'طاقم',
  superuser: 'مستخدم خارق',
  group: 'المجموعة',
  any: 'الكل',
  yes: 'نعم',
  no: 'لا',
  username: 'اسم المستخدم',
  email: 'البريد الإلكتروني',
  name: 'الاسم',
  status: 'الحالة',
  joined: 'تاريخ الانضمام',
  lastSignIn: 'آخر تسجيل دخول',
  never: 'أبدًا',
  inactive: 'غير نشط',
  noUsersMatch: 'لا يوجد مستخدمون مطابقون.',
  event: 'الحدث',
  allEvents: 'كل الأحداث',
  user: 'المستخدم',
  actorOrTarget: 'اسم المنفِّذ أو صاحب الحساب',
  when: 'الوقت',
  by: 'بواسطة',
  account: 'الحساب',
  ip: 'عنوان IP',
  device: 'الجهاز',
  commandLine: 'سطر الأوامر',
  noEventsMatch: 'لا توجد أحداث مطابقة.',
  newGroup: 'مجموعة جديدة',
  createGroup: 'إنشاء مجموعة',
  groupCreated: 'تم إنشاء المجموعة.',
  members: 'الأعضاء',
  noGroupsYet: 'لا توجد مجموعات بعد.',
  noSuchGroup: 'لا توجد مجموعة كهذه.',
  rename: 'إعادة التسمية',
  groupRenamed: 'تمت إعادة تسمية المجموعة.',
  deleteGroup: 'حذف المجموعة',
  groupDeleted: 'تم حذف المجموعة.',
  noMembers: 'لا يوجد أعضاء.',
  remove: 'إزالة',
  memberRemoved: 'تمت إزالة العضو.',
  addMember: 'إضافة عضو',
  memberAdded: 'تمت إضافة العضو.',
  noUserNamed: 'لا يوجد مستخدم باسم "{name}".',
  noSuchUser: 'لا يوجد مستخدم كهذا.',
  profile: 'الملف الشخصي',
  firstName: 'الاسم الأول',
  lastName: 'اسم العائلة',
  save: 'حفظ',
  userSaved: 'تم حفظ المستخدم.',
  joinedLine: 'انضم في {joined} · آخر تسجيل دخول {last}',
  neverLower: 'أبدًا',
  activate: 'تفعيل',
  userActivated: 'تم تفعيل المستخدم.',
  deactivate: 'تعطيل',
  userDeactivated: 'تم تعطيل المستخدم وتسجيل خروجه.',
  sendPasswordReset: 'إرسال رسالة إعادة تعيين كلمة المرور',
  passwordResetSent: 'تم إرسال رسالة إعادة تعيين كلمة المرور.',
  staffStatus: 'عضو في الطاقم',
  staffSaved: 'تم حفظ حالة الطاقم.',
  superuserStatus: 'مستخدم خارق',
  superuserSaved: 'تم حفظ حالة المستخدم الخارق.',
  saveGroups: 'حفظ المجموعات',
  groupsSaved: 'تم حفظ المجموعات.',
  sessions: 'الجلسات',
  signOutEverywhere: 'تسجيل الخروج من كل مكان',
  signedOutEverywhere: 'تم تسجيل الخروج من كل مكان.',
  noOpenSessions: 'لا توجد جلسات مفتوحة.',
  unknownDevice: 'جهاز غير معروف',
  ipOf: 'عنوان IP {ip}',
  unknown: 'غير معروف',
  signedInAt: 'سجّل الدخول في {when}',
  lastSeenAt: 'آخر ظهور {when}',
  deleteUser: 'حذف المستخدم',
  deleteUserWarning: 'سيؤدي هذا إلى حذف {username} وكل ما يخصّه وتسجيل خروجه من كل مكان. لا يمكن التراجع عن ذلك.',
  deleteUserConfirm: 'نعم، احذف {username}',
  userDeleted: 'تم حذف المستخدم.',
  cancel: 'إلغاء',
  listSeparator: '، ',
};

const ADMIN_CATALOGS: Readonly<Record<string, AdminMessages>> = { en: ADMIN_EN, ar: ADMIN_AR };

/**
 * The admin console's texts in `language` (its base language, else
 * English), with `overrides` applied.
 *
 * @example
 * adminMessagesFor('ar').deleteUser; // 'حذف المستخدم'
 */
export function adminMessagesFor(language: string, overrides: Readonly<Record<string, string>> = {}): AdminMessages {
  const base = language.split(/[-_]/)[0]!.toLowerCase();
  return withOverrides(ADMIN_CATALOGS[language] ?? ADMIN_CATALOGS[base] ?? ADMIN_EN, ADMIN_EN, language, overrides);
}

/**
 * The admin console's texts in the tab's language, the `site` slice's
 * `messages` applied. Reactive: a language change re-renders every text.
 *
 * @example
 * const t = useAdminMessages();
 * return <h2>{t().users}</h2>;
 */
export function useAdminMessages(): Accessor<AdminMessages> {
  const site = useSite();
  const language = useLanguage();
  return createMemo(() => adminMessagesFor(language().language, site().messages));
}
