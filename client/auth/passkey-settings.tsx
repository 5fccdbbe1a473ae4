import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useAuthClient } from './auth-client';
import { useAuthComponents } from './auth-components';
import { useAccountMessages } from './account-messages';
import { describeFailure } from './failure';
import { formatMessage } from './messages';
import { addPasskey } from './passkey-account';
import { passkeysSupported } from './passkey-client';
import { useLanguage } from './site';

/**
 * Settings → **Passkeys**: the user's passkeys (name, when added, when last
 * used), each with **Rename** and **Remove**, and **Add a passkey**; then
 * **Remove password**, allowed only while a passkey remains (the server
 * holds the rule; the button says why it is off). Adding, removing and
 * removing the password ask **Confirm it's you** when the sign-in is old.
 *
 * @example
 * <PasskeySettings />
 */
export function PasskeySettings(): JSX.Element {
  const trpc = useAuthClient();
  const { FormAlert } = useAuthComponents();
  const t = useAccountMessages();
  const language = useLanguage();
  const [state, { refetch }] = createResource(() => trpc.auth.passkeys.query());
  const [busy, setBusy] = createSignal<string | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [editing, setEditing] = createSignal<number | null>(null);
  const [draft, setDraft] = createSignal('');

  const when = (ms: number): string =>
    new Intl.DateTimeFormat(language().language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));

  const act = async (key: string, call: () => Promise<unknown>): Promise<boolean> => {
    setBusy(key);
    setError(null);
    try {
      await call();
      return true;
    } catch (failure) {
      setError(describeFailure(failure, t()).formError);
      return false;
    } finally {
      setBusy(null);
      await refetch();
    }
  };

  const save = async (id: number): Promise<void> => {
    if (await act(`rename-${id}`, () => trpc.auth.renamePasskey.mutate({ id, name: draft() }))) setEditing(null);
  };

  return (
    <section class="sh-settings-card" aria-labelledby="sh-passkeys-title">
      <div class="sh-settings-header">
        <h2 id="sh-passkeys-title">{t().passkeys}</h2>
        <Show when={passkeysSupported()}>
          <button
            type="button"
            class="sh-button sh-button-primary sh-button-small"
            disabled={busy() !== null}
            aria-busy={busy() === 'add' ? 'true' : 'false'}
            onClick={() => void act('add', () => addPasskey(trpc, t()))}
          >
            {busy() === 'add' ? t().waitingForPasskey : t().addPasskey}
          </button>
        </Show>
      </div>
      <p class="sh-hint">{t().passkeysHelp}</p>
      <FormAlert message={error()} />
      <Show when={state.latest} fallback={<p class="sh-hint">…</p>}>
        {(current) => (
          <>
            <Show when={current().passkeys.length > 0} fallback={<p class="sh-hint">{t().noPasskeys}</p>}>
              <ul class="sh-passkey-list">
                <For each={current().passkeys}>
                  {(passkey) => (
                    <li class="sh-passkey">
                      <Show
                        when={editing() === passkey.id}
                        fallback={
                          <div class="sh-passkey-main">
                            <p class="sh-passkey-name">
                              {passkey.name}
                              <Show when={passkey.backedUp}>
                                {' '}
                                <span class="sh-badge">{t().passkeySynced}</span>
                              </Show>
                            </p>
                            <p class="sh-hint">
                              <span>{formatMessage(t().passkeyAddedOn, { date: when(passkey.createdAt) })}</span>
                              {' · '}
                              <span>
                                {passkey.lastUsedAt === null
                                  ? t().passkeyNeverUsed
                                  : formatMessage(t().passkeyLastUsed, { date: when(passkey.lastUsedAt) })}
                              </span>
                            </p>
                          </div>
                        }
                      >
                        <form
                          class="sh-passkey-main sh-passkey-rename"
                          onSubmit={(event) => {
                            event.preventDefault();
                            void save(passkey.id);
                          }}
                        >
                          <label class="sh-label" for={`sh-passkey-name-${passkey.id}`}>
                            {t().passkeyName}
                          </label>
                          <input
                            id={`sh-passkey-name-${passkey.id}`}
                            class="sh-input"
                            maxLength={64}
                            value={draft()}
                            onInput={(event) => setDraft(event.currentTarget.value)}
                          />
                          <div class="sh-dialog-actions">
                            <button type="submit" class="sh-button sh-button-primary sh-button-small" disabled={busy() !== null}>
                              {t().save}
                            </button>
                            <button type="button" class="sh-button sh-button-small sh-button-quiet" onClick={() => setEditing(null)}>
                              {t().cancel}
                            </button>
                          </div>
                        </form>
                      </Show>
                      <Show when={editing() !== passkey.id}>
                        <div class="sh-dialog-actions">
                          <button
                            type="button"
                            class="sh-button sh-button-small sh-button-quiet"
                            aria-label={`${t().rename}: ${passkey.name}`}
                            onClick={() => {
                              setDraft(passkey.name);
                              setEditing(passkey.id);
                            }}
                          >
                            {t().rename}
                          </button>
                          <button
                            type="button"
                            class="sh-button sh-button-small sh-button-danger"
                            aria-label={`${t().remove}: ${passkey.name}`}
                            disabled={busy() !== null}
                            aria-busy={busy() === `remove-${passkey.id}` ? 'true' : 'false'}
                            onClick={() => void act(`remove-${passkey.id}`, () => trpc.auth.removePasskey.mutate({ id: passkey.id }))}
                          >
                            {t().remove}
                          </button>
                        </div>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
            </Show>
            <div class="sh-remove-password">
              <Show when={current().hasPassword} fallback={<p class="sh-hint">{t().noPasswordSet}</p>}>
                <p class="sh-hint">{current().mayRemovePassword ? t().removePasswordHelp : t().removePasswordNeedsPasskey}</p>
                <button
                  type="button"
                  class="sh-button sh-button-small sh-button-danger"
                  disabled={busy() !== null || !current().mayRemovePassword}
                  aria-busy={busy() === 'password' ? 'true' : 'false'}
                  onClick={() => void act('password', () => trpc.auth.removePassword.mutate())}
                >
                  {t().removePassword}
                </button>
              </Show>
            </div>
          </>
        )}
      </Show>
    </section>
  );
}
