import { createEffect, createMemo, on, type Accessor } from 'solid-js';
import {
  AUTH_CATALOGS,
  authMessagesFor,
  lazyCatalogs,
  overridesLanguageOf,
  useLanguage,
  useLanguagePending,
  useSite,
  useStateReady,
  withOverrides,
  type LanguageState,
} from '../auth';
import { I18N_SLICE } from '../../server/shared';
import { useSlice, useStateClient } from '../state/context';

/**
 * The admin console's English texts (Arabic: `admin-messages-ar.ts`). Same override rules as the
 * auth pages' (`auth.messages` in config, through the `site` slice): a plain
 * key replaces a text in every language, `lang.key` in one language only.
 */
export const ADMIN_EN = {
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
  exactAddress: 'Exact address',
  fromDay: 'From',
  toDay: 'To',
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
  resetTwoFactor: 'Reset two-factor',
  twoFactorReset: 'Two-factor authentication reset.',
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

/**
 * The admin console's texts by language: English comes with the console's
 * code, every other language is a chunk fetched the first time the console
 * is shown in it.
 */
export const ADMIN_CATALOGS = lazyCatalogs<AdminMessages>(ADMIN_EN, {
  ar: () => import('./admin-messages-ar').then((m) => m.ADMIN_AR),
});

/**
 * The admin console's texts in `language` (its base language, else
 * English), with `overrides` applied. Synchronous: a language whose texts are
 * not loaded yet answers English, with English's overrides;
 * {@link loadAdminMessages} waits for it.
 *
 * @example
 * adminMessagesFor('ar').deleteUser; // 'حذف المستخدم' once the Arabic texts are in
 */
export function adminMessagesFor(language: string, overrides: Readonly<Record<string, string>> = {}): AdminMessages {
  const catalog = ADMIN_CATALOGS.get(language);
  return withOverrides(catalog, ADMIN_EN, overridesLanguageOf(ADMIN_CATALOGS, catalog, ADMIN_EN, language), overrides);
}

/**
 * The admin console's texts in `language` once its catalog is loaded
 * (fetched if need be), with `overrides` applied; rejects when its chunk
 * cannot be loaded.
 *
 * @example
 * const t = await loadAdminMessages('ar');
 * t.deleteUser; // 'حذف المستخدم'
 */
export async function loadAdminMessages(language: string, overrides: Readonly<Record<string, string>> = {}): Promise<AdminMessages> {
  return withOverrides(await ADMIN_CATALOGS.load(language), ADMIN_EN, language, overrides);
}

/**
 * The tab's language as the admin console shows it: the tab's language once
 * the pages' and the console's texts in it are in, the previous one
 * meanwhile; English when they cannot be loaded. `null` until the first
 * push and the texts of the language it names are in.
 *
 * @example
 * const language = useAdminLanguage();
 * return <Show when={language()}>{(l) => <section lang={l().language} dir={l().dir}>…</section>}</Show>;
 */
export function useAdminLanguage(): Accessor<LanguageState | null> {
  const language = useLanguage();
  const pending = useLanguagePending();
  const ready = useStateReady();
  const i18n = useSlice<Partial<LanguageState>>(I18N_SLICE);
  return createMemo<LanguageState | null>(
    (previous) => {
      // The console's texts in the tab's language are fetched beside the pages', not after them.
      if (i18n.language) ADMIN_CATALOGS.status(i18n.language);
      // The first push (which names the language) or the pages' texts in it are still on their way.
      if (!ready() || pending()) return previous;
      const shown = language();
      const status = ADMIN_CATALOGS.status(shown.language);
      if (status === 'loading') return previous;
      return status === 'failed' ? ENGLISH : shown;
    },
    null,
    { equals: (a, b) => a?.language === b?.language && a?.dir === b?.dir },
  );
}

const ENGLISH: LanguageState = { language: 'en', dir: 'ltr' };

/**
 * Says in a toast (in English, the site's wording applied) when the admin
 * console's texts in the tab's language cannot be loaded, as the pages do
 * for theirs. `<AdminLayout>` calls it once.
 */
export function reportAdminLanguageFailure(): void {
  const client = useStateClient();
  const site = useSite();
  const i18n = useSlice<Partial<LanguageState>>(I18N_SLICE);
  createEffect(
    on(
      () => {
        const wanted = i18n.language ?? ENGLISH.language;
        // The pages' own failure toast already says it when their texts failed too.
        return ADMIN_CATALOGS.status(wanted) === 'failed' && AUTH_CATALOGS.status(wanted) !== 'failed';
      },
      (failed) => {
        if (failed) client.toastActions.show('error', authMessagesFor(ENGLISH.language, site().messages).languageLoadFailed);
      },
    ),
  );
}

/**
 * The admin console's texts in the language it shows (`useAdminLanguage()`),
 * the `site` slice's `messages` applied. Reactive: a language change
 * re-renders every text.
 *
 * @example
 * const t = useAdminMessages();
 * return <h2>{t().users}</h2>;
 */
export function useAdminMessages(): Accessor<AdminMessages> {
  const site = useSite();
  const language = useAdminLanguage();
  return createMemo(() => adminMessagesFor(language()?.language ?? ENGLISH.language, site().messages));
}
