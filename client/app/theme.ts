import { createEffect, createSignal, on, type JSX } from 'solid-js';
import { useStateReady } from '../auth';
import { useAuth } from '../state';
import { useApp } from './app-state';

export type Theme = 'light' | 'dark';

/** Kept through logout (`auth.logoutPreserveStorageKeys` keeps `theme` by default). */
export const THEME_STORAGE_KEY = 'theme';

/** The theme last applied in this browser, `light` when none. */
export function storedTheme(): Theme {
  try {
    return globalThis.localStorage?.getItem(THEME_STORAGE_KEY) === 'dark' ? 'dark' : 'light';
  } catch {
    return 'light';
  }
}

/** Puts `theme` on `<html data-theme>` (the stylesheet's switch) and remembers it. */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
  try {
    globalThis.localStorage?.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage can be off (private mode); the theme still applies to this page.
  }
}

/**
 * Applies the theme: the session's preference (`preferences.load`, then the
 * `preferences` slice) for a signed-in user, else the one last used in this
 * browser. Renders nothing.
 */
export function ThemeSync(): JSX.Element {
  const app = useApp();
  const auth = useAuth();
  const ready = useStateReady();
  const [theme, setTheme] = createSignal<Theme>(storedTheme());
  const [loadedFor, setLoadedFor] = createSignal<number | null>(null);

  createEffect(
    on(
      () => (ready() && auth.isAuthenticated ? auth.userId : null),
      (userId) => {
        if (userId === null) return setLoadedFor(null);
        app.trpc.preferences.load
          .query()
          .then(() => setLoadedFor(userId))
          .catch((error: unknown) => console.warn('could not load the preferences', error));
      },
    ),
  );
  createEffect(() => {
    if (loadedFor() !== null && loadedFor() === auth.userId) setTheme(app.slices.preferences.theme === 'dark' ? 'dark' : 'light');
  });
  createEffect(() => applyTheme(theme()));
  return null;
}
