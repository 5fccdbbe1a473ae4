import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useAuthClient } from '../auth';
import { useToasts } from '../state';
import { formatAgo, formatDateTime } from './format';
import { summariseUserAgent } from './user-agent';

/**
 * How a session signed in, as the list says it: `password`, `passkey`,
 * `password + code` for `password+totp`, `+ recovery code` or `+ passkey`
 * for a second step answered with one, the provider's id for `oauth:<id>`.
 */
export function signInMethodLabel(method: string): string {
  const [first = '', second] = method.split('+');
  const firstLabel = first === 'email-link' ? 'emailed link' : first.startsWith('oauth:') ? first.slice('oauth:'.length) : first;
  if (second === 'totp') return `${firstLabel} + code`;
  if (second === 'recovery-code') return `${firstLabel} + recovery code`;
  if (second === 'passkey') return `${firstLabel} + passkey`;
  return firstLabel;
}

export interface SessionsListProps {
  /** Bumped by the page to read the list again (after a password change). */
  version?: number;
}

/**
 * "Your sessions": every live session of the user (device, IP, when it
 * started, when it was last seen), the current one marked, "Revoke" for
 * each other one and "Sign out other sessions". Read again after each
 * revocation; the revoked tabs are signed out by the server at once.
 */
export function SessionsList(props: SessionsListProps): JSX.Element {
  const trpc = useAuthClient();
  const [, toasts] = useToasts();
  const [sessions, { refetch }] = createResource(
    () => props.version ?? 0,
    () => trpc.auth.sessions.query(),
  );
  const [busy, setBusy] = createSignal<string | null>(null);
  const others = (): number => (sessions.latest ?? []).filter((s) => !s.current).length;

  const act = async (key: string, call: () => Promise<unknown>, done: string): Promise<void> => {
    setBusy(key);
    try {
      await call();
      toasts.show('success', done);
    } catch {
      toasts.show('error', 'That did not work. Please try again.');
    } finally {
      setBusy(null);
      await refetch();
    }
  };

  return (
    <section class="card" aria-labelledby="sessions-title">
      <div class="card-header">
        <h2 id="sessions-title">Your sessions</h2>
        <button
          type="button"
          class="button button-small button-quiet"
          disabled={others() === 0 || busy() !== null}
          aria-busy={busy() === 'others' ? 'true' : 'false'}
          onClick={() => void act('others', () => trpc.auth.revokeOtherSessions.mutate(), 'Your other sessions are signed out.')}
        >
          Sign out other sessions
        </button>
      </div>
      <Show when={sessions.latest} fallback={<p class="muted">Loading…</p>}>
        {(list) => (
          <ul class="session-list">
            <For each={list()}>
              {(session) => (
                <li class="session" classList={{ 'session-current': session.current }}>
                  <div class="session-main">
                    <p class="session-device">
                      {summariseUserAgent(session.userAgent)}
                      <Show when={session.current}>
                        {' '}
                        <span class="badge badge-success">This session</span>
                      </Show>
                    </p>
                    <p class="session-meta muted">
                      <span>IP {session.ip || 'unknown'}</span>
                      <span>Signed in {formatDateTime(session.createdAt)}</span>
                      <span>with {signInMethodLabel(session.signInMethod)}</span>
                      <span>Last seen {formatAgo(session.lastSeenAt)}</span>
                    </p>
                  </div>
                  <Show when={!session.current}>
                    <button
                      type="button"
                      class="button button-small button-danger"
                      disabled={busy() !== null}
                      aria-busy={busy() === session.id ? 'true' : 'false'}
                      aria-label={`Revoke ${summariseUserAgent(session.userAgent)} session from ${session.ip || 'an unknown address'}`}
                      onClick={() =>
                        void act(session.id, () => trpc.auth.revokeSession.mutate({ sessionId: session.id }), 'Session revoked.')
                      }
                    >
                      Revoke
                    </button>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
    </section>
  );
}
