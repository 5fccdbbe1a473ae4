import { For, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthMessages } from './auth-context';
import { AUTH_CATALOGS } from './messages';
import { useLanguage, useSite } from './site';

/** A language's own name for itself: `ar` → `العربية`. */
export function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(code) + name.slice(1) : code;
  } catch {
    return code;
  }
}

/**
 * A select of the site's languages (`site.languages`) calling
 * `i18n.setLanguage`: the pages re-render in the chosen language, and the
 * choice is kept in the session for the visitor's other tabs.
 *
 * @example
 * <LanguagePicker />
 */
export function LanguagePicker(): JSX.Element {
  const trpc = useAuthClient();
  const site = useSite();
  const language = useLanguage();
  const t = useAuthMessages();
  const choose = (code: string): void => {
    // The chosen language's texts travel beside the call: they are in when its push arrives.
    AUTH_CATALOGS.load(code).catch(() => {});
    trpc.i18n.setLanguage.mutate({ language: code }).catch((error: unknown) => {
      console.warn('statehouse: could not change the language', error);
    });
  };
  return (
    <div class="sh-language">
      <label class="sh-language-label" for="sh-language">
        {t().language}
      </label>
      <select id="sh-language" class="sh-select" value={language().language} onChange={(event) => choose(event.currentTarget.value)}>
        <For each={site().languages}>{(code) => <option value={code}>{languageName(code)}</option>}</For>
      </select>
    </div>
  );
}
