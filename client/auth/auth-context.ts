import { createContext, createMemo, useContext, type Accessor } from 'solid-js';
import type { AuthComponents } from './auth-components';
import { authMessagesFor, type AuthMessages } from './messages';
import { useLanguage, useSite } from './site';

/** What `<AuthRoutes>` (and `<AuthPagesProvider>`) accept. */
export interface AuthPagesOptions {
  /** Parts to use instead of the defaults; the others stay. */
  components?: Partial<AuthComponents>;
  /**
   * Text overrides on top of the `site` slice's `messages` (`auth.messages`
   * in config): `{ signIn: 'Log in' }`, or `{ 'ar.signIn': '…' }` for one language.
   */
  messages?: Readonly<Record<string, string>>;
  /**
   * More fields on the sign-up page, after Statehouse's: sent as
   * `auth.register`'s `fields` and checked by the app's user model
   * (`defineUserModel({ registration })`); its errors show under them.
   */
  registerFields?: readonly RegisterField[];
}

/** One extra field of the sign-up page. */
export interface RegisterField {
  /** The user model's field name (`displayName`). */
  name: string;
  label: string;
  type?: 'text' | 'email';
  autocomplete?: string;
  hint?: string;
  required?: boolean;
}

/** The options of the canned pages below it; set by `<AuthPagesProvider>`. */
export const AuthPagesContext = createContext<AuthPagesOptions>({});

/**
 * The canned pages' texts in the tab's language, with the `site` slice's
 * `messages` and then the nearest provider's `messages` applied. Reactive:
 * a language change re-renders every text.
 *
 * @example
 * const t = useAuthMessages();
 * return <button>{t().signIn}</button>;
 */
export function useAuthMessages(): Accessor<AuthMessages> {
  return useTextsOf(authMessagesFor);
}

/**
 * A set of texts in the tab's language as `textsFor` words it, given the
 * `site` slice's `messages` and then the nearest provider's as overrides.
 * Reactive. {@link useAuthMessages} is this with `authMessagesFor`.
 *
 * @example
 * const t = useTextsOf(accountMessagesFor);
 */
export function useTextsOf<T>(textsFor: (language: string, overrides: Readonly<Record<string, string>>) => T): Accessor<T> {
  const options = useContext(AuthPagesContext);
  const site = useSite();
  const language = useLanguage();
  return createMemo(() => textsFor(language().language, { ...site().messages, ...options.messages }));
}
