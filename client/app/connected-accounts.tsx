import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useAuthClient } from '../auth';
import { useToasts } from '../state';
import { formatDateTime } from './format';

/**
 * Settings → **Connected accounts**: one row per configured sign-in provider,
 * **Connect** (a full-page link into the provider's flow, back to Settings)
 * or **Disconnect** (refused by the server when it is the last way in, and
 * its message shown). Hidden when no provider is configured.
 */
export function ConnectedAccounts(): JSX.Element {
  const trpc = useAuthClient();
  const [, toasts] = useToasts();
  const [accounts, { refetch }] = createResource(() => trpc.auth.connectedAccounts.query());
  const [busy, setBusy] = createSignal<number | null>(null);

  const disconnect = async (id: number, label: string): Promise<void> => {
    setBusy(id);
    try {
      await trpc.auth.disconnectAccount.mutate({ id });
      toasts.show('success', `${label} is disconnected.`);
    } catch (error) {
      toasts.show('error', error instanceof Error ? error.message : 'That did not work. Please try again.');
    } finally {
      setBusy(null);
      await refetch();
    }
  };

  return (
    <Show when={(accounts.latest ?? []).length > 0}>
      <section class="card" aria-labelledby="connected-accounts-title">
        <div class="card-header">
          <h2 id="connected-accounts-title">Connected accounts</h2>
        </div>
        <ul class="session-list">
          <For each={accounts.latest}>
            {(entry) => (
              <li class="session">
                <div class="session-main">
                  <p class="session-device">{entry.label}</p>
                  <p class="session-meta muted">
                    <Show when={entry.account} fallback={<span>Not connected</span>}>
                      {(account) => (
                        <>
                          <Show when={account().email}>{(email) => <span>{email()}</span>}</Show>
                          <span>Connected {formatDateTime(account().createdAt)}</span>
                        </>
                      )}
                    </Show>
                  </p>
                </div>
                <Show
                  when={entry.account}
                  fallback={
                    <a
                      class="button button-small"
                      rel="external"
                      href={`/auth/oauth/${encodeURIComponent(entry.provider)}?intent=connect&next=${encodeURIComponent('/settings')}`}
                    >
                      Connect
                    </a>
                  }
                >
                  {(account) => (
                    <button
                      type="button"
                      class="button button-small button-danger"
                      disabled={busy() !== null}
                      aria-busy={busy() === account().id ? 'true' : 'false'}
                      onClick={() => void disconnect(account().id, entry.label)}
                    >
                      Disconnect
                    </button>
                  )}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}
