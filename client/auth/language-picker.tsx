import { createEffect, For, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthMessages } from './auth-context';
import { preloadLanguage } from './lazy-catalogs';
import { I18N_SLICE } from '../../server/shared';
import { useSlice } from '../state/context';
import { useLanguage, useLanguagePending, useSite, type LanguageState } from './site';

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
  const pending = useLanguagePending();
  const t = useAuthMessages();
  let select: HTMLSelectElement | undefined;
  // Once the shown language settles (its texts in, or failed to English), the select says it, not the failed choice.
  const i18n = useSlice<Partial<LanguageState>>(I18N_SLICE);
  const settle = (): void => {
    if (select) select.value = language().language;
  };
  createEffect(() => {
    // Read the wanted language too: a choice that failed before the server's push leaves the shown one unchanged.
    void i18n.language;
    if (!pending()) settle();
  });
  const choose = (code: string): void => {
    // The chosen language's texts (the pages', the admin console's…) travel beside the call: they are in when its push arrives.
    void preloadLanguage(code);
    trpc.i18n.setLanguage.mutate({ language: code }).catch((error: unknown) => {
      console.warn('statehouse: could not change the language', error);
      settle();
    });
  };
  return (
    <div class="sh-language">
      <label class="sh-language-label" for="sh-language">
        {t().language}
      </label>
      <select
        ref={select}
        id="sh-language"
        class="sh-select"
        value={language().language}
        onChange={(event) => choose(event.currentTarget.value)}
      >
        <For each={site().languages}>{(code) => <option value={code}>{languageName(code)}</option>}</For>
      </select>
    </div>
  );
}
