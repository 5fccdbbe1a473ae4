import { For, type JSX } from 'solid-js';
import { useToasts } from '../state';
import { useApp } from './app-state';
import type { Theme } from './theme';

const THEMES: readonly { id: Theme; label: string }[] = [
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
];

/** Light or dark, kept in the session (`preferences.setTheme`) and applied to every page. */
export function ThemeSetting(): JSX.Element {
  const app = useApp();
  const [, toasts] = useToasts();
  const current = (): string => app.slices.preferences.theme;
  const choose = (theme: Theme): void => {
    if (theme === current()) return;
    app.trpc.preferences.setTheme.mutate({ theme }).catch(() => toasts.show('error', 'Could not save the theme.'));
  };
  return (
    <section class="card" aria-labelledby="theme-title">
      <h2 id="theme-title">Theme</h2>
      <p class="muted">Kept in your session, so it follows you to every tab.</p>
      <fieldset class="segmented">
        <legend class="visually-hidden">Theme</legend>
        <For each={THEMES}>
          {(theme) => (
            <label class="segment" classList={{ 'segment-active': current() === theme.id }}>
              <input type="radio" name="theme" value={theme.id} checked={current() === theme.id} onChange={() => choose(theme.id)} />
              {theme.label}
            </label>
          )}
        </For>
      </fieldset>
    </section>
  );
}
