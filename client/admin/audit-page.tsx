import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useAdminClient, useAdminRevision } from './admin-client';
import { AUDIT_EVENT_LABELS, auditLabel, formatWhen } from './audit-labels';
import { Pager } from './pager';

const PAGE_SIZE = 50;

/**
 * **Audit log**: every security event, newest first, filtered by type and by
 * a user's name; reads again when an admin change is announced.
 */
export function AuditPage(): JSX.Element {
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const [type, setType] = createSignal('');
  const [name, setName] = createSignal('');
  const [page, setPage] = createSignal(1);
  const [events] = createResource(
    () => ({ type: type(), name: name(), page: page(), revision: revision() }),
    ({ type, name, page }) =>
      trpc.admin.audit.query({
        types: type ? [type as never] : undefined,
        name: name || undefined,
        page,
        pageSize: PAGE_SIZE,
      }),
  );
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">Audit log</h2>
      <div class="admin-filters">
        <label class="admin-filter">
          Event
          <select
            value={type()}
            onChange={(e) => {
              setType(e.currentTarget.value);
              setPage(1);
            }}
          >
            <option value="">All events</option>
            <For each={Object.entries(AUDIT_EVENT_LABELS)}>{([value, label]) => <option value={value}>{label}</option>}</For>
          </select>
        </label>
        <label class="admin-filter admin-search">
          User
          <input
            type="search"
            value={name()}
            placeholder="Actor or target username"
            onInput={(e) => {
              setName(e.currentTarget.value);
              setPage(1);
            }}
          />
        </label>
      </div>
      <Show when={events.latest} fallback={<p class="muted">Loading…</p>}>
        {(list) => (
          <>
            <table class="admin-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Event</th>
                  <th>By</th>
                  <th>Account</th>
                  <th>IP</th>
                  <th>Device</th>
                </tr>
              </thead>
              <tbody>
                <For
                  each={list().rows}
                  fallback={
                    <tr>
                      <td colSpan={6}>No events match.</td>
                    </tr>
                  }
                >
                  {(e) => (
                    <tr>
                      <td>{formatWhen(e.at)}</td>
                      <td>{auditLabel(e.type)}</td>
                      <td>{e.actorName || (e.via === 'cli' ? 'command line' : '—')}</td>
                      <td>{e.targetName || String(e.detail.group ?? '—')}</td>
                      <td>{e.ip}</td>
                      <td class="admin-agent" title={e.userAgent}>
                        {e.userAgent}
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <Pager page={page()} total={list().total} pageSize={PAGE_SIZE} noun="events" onPage={setPage} />
          </>
        )}
      </Show>
    </section>
  );
}
