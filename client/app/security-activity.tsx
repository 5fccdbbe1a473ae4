import { createResource, For, Show, type JSX } from 'solid-js';
import { auditLabel, formatWhen } from '../admin';
import { useAuthClient, useLanguage } from '../auth';
import { summariseUserAgent } from './user-agent';

/**
 * **Recent security activity**: the signed-in user's own latest security
 * events (sign-ins, failed attempts on their account, password and email
 * changes, what an admin changed), read from the audit log.
 */
export function SecurityActivity(props: { version?: number }): JSX.Element {
  const trpc = useAuthClient();
  const language = useLanguage();
  const [events] = createResource(
    () => props.version ?? 0,
    () => trpc.auth.securityActivity.query(),
  );
  return (
    <section class="card" aria-labelledby="activity-title">
      <h2 id="activity-title">Recent security activity</h2>
      <Show when={events.latest} fallback={<p class="muted">Loading…</p>}>
        {(list) => (
          <ul class="session-list">
            <For each={list()} fallback={<li class="muted">Nothing yet.</li>}>
              {(e) => (
                <li class="session">
                  <p class="session-device">
                    {auditLabel(e.type, language().language)}
                    <Show when={e.byAdmin}>
                      {' '}
                      <span class="badge">by an administrator</span>
                    </Show>
                  </p>
                  <p class="session-meta muted">
                    <span>{formatWhen(e.at)}</span>
                    <Show when={e.ip}>
                      <span>IP {e.ip}</span>
                    </Show>
                    <Show when={e.userAgent}>
                      <span>{summariseUserAgent(e.userAgent)}</span>
                    </Show>
                  </p>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
    </section>
  );
}
