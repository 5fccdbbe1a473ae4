import type { Accessor } from 'solid-js';
import { EN_ACCOUNT_TEXTS, withOverrides, type AccountTexts } from '../../server/shared';
import { useTextsOf } from './auth-context';
import { overridesLanguageOf } from './lazy-catalogs';
import { AUTH_CATALOGS, AUTH_EN, type AuthMessages } from './messages';

/*
 * The texts of the pages a first visit does not load: Settings (password,
 * email, two-factor, passkeys, connected accounts, deleting the account), the
 * two-factor step and **Confirm it's you**. Only those pages' chunks import
 * this module, so English comes with their code rather than with the first
 * visit (the barrel `index.ts` re-exports it, which the bundler drops from
 * a chunk that uses none of it). Other languages need no chunk of their own:
 * each language's catalog in `AUTH_CATALOGS` carries these texts too (a
 * catalog without them shows them in English).
 */

/** The page-only texts of those pages, beside the shared catalog's `EN_ACCOUNT_TEXTS`. */
const ACCOUNT_PAGE_EN = {
  changingPassword: 'Changing password…',
  connectedAccounts: 'Connected accounts',
  disconnect: 'Disconnect',
  usePasskey: 'Use a passkey',
  confirmWithPasskeyHelp: 'Use one of your passkeys to continue.',
  passkeysHelp: 'Sign in with your fingerprint, face or screen lock instead of a password.',
  noPasskeys: 'No passkeys yet.',
  passkeyName: 'Name',
  passkeyAddedOn: 'Added {date}',
  passkeyLastUsed: 'Last used {date}',
  passkeyNeverUsed: 'Never used',
  passkeySynced: 'Synced',
  rename: 'Rename',
  removePassword: 'Remove password',
  removePasswordHelp: 'Sign in with your passkeys only. “Forgot your password?” sets a new one if you need it.',
  removePasswordNeedsPasskey: 'Add a passkey before you remove your password.',
  noPasswordSet: 'Your account has no password: you sign in with a passkey.',
  connect: 'Connect',
  notConnected: 'Not connected',
  passkeys: 'Passkeys',
  addPasskey: 'Add a passkey',
  save: 'Save',
  remove: 'Remove',
} as const;

/** A key of the page-only texts of the pages fetched on first use. */
export type AccountPageMessageKey = keyof typeof ACCOUNT_PAGE_EN;

/** Every text the pages fetched on first use show: the canned pages' texts and their own. */
export type AccountMessages = AuthMessages & AccountTexts & Readonly<Record<AccountPageMessageKey, string>>;

/** Every English text of the pages fetched on first use. */
export const ACCOUNT_EN: AccountMessages = { ...AUTH_EN, ...EN_ACCOUNT_TEXTS, ...ACCOUNT_PAGE_EN };

/** A catalog of `AUTH_CATALOGS` completed with English account texts, once per catalog. */
const COMPLETED = new WeakMap<AuthMessages, AccountMessages>();

function completed(catalog: AuthMessages): AccountMessages {
  if (catalog === AUTH_EN) return ACCOUNT_EN;
  let full = COMPLETED.get(catalog);
  if (!full) {
    full = { ...ACCOUNT_EN, ...catalog };
    COMPLETED.set(catalog, full);
  }
  return full;
}

/**
 * The texts of the pages fetched on first use in `language`, with
 * `overrides` applied as {@link authMessagesFor} applies them. Synchronous:
 * the language's catalog is the one `AUTH_CATALOGS` holds (English until it
 * is in).
 *
 * @example
 * accountMessagesFor('en').turnOnTwoFactor; // 'Turn on two-factor'
 */
export function accountMessagesFor(language: string, overrides: Readonly<Record<string, string>> = {}): AccountMessages {
  const catalog = AUTH_CATALOGS.get(language);
  return withOverrides(
    completed(catalog),
    ACCOUNT_EN,
    overridesLanguageOf(AUTH_CATALOGS, catalog, AUTH_EN, language),
    overrides,
  ) as AccountMessages;
}

/**
 * The texts of the pages fetched on first use in `language` once its
 * catalog is loaded (fetched if need be), with `overrides` applied; rejects
 * when its chunk cannot be loaded. {@link loadAuthMessages} for these pages.
 *
 * @example
 * const t = await loadAccountMessages('ar');
 * t.turnOnTwoFactor; // 'تشغيل المصادقة الثنائية'
 */
export async function loadAccountMessages(language: string, overrides: Readonly<Record<string, string>> = {}): Promise<AccountMessages> {
  return withOverrides(completed(await AUTH_CATALOGS.load(language)), ACCOUNT_EN, language, overrides) as AccountMessages;
}

/**
 * {@link useAuthMessages} for the pages fetched on first use: the same texts
 * plus theirs, in the tab's language, with the same overrides. Reactive.
 *
 * @example
 * const t = useAccountMessages();
 * return <h2>{t().security}</h2>;
 */
export function useAccountMessages(): Accessor<AccountMessages> {
  return useTextsOf(accountMessagesFor);
}
