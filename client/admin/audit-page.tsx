import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useLanguage } from '../auth';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminMessages } from './admin-messages';
import { AdminTable } from './admin-table';
import { auditLabel, auditLabelsFor, formatWhen } from './audit-labels';
import { Pager } from './pager';

const PAGE_SIZE = 50;

/**
 * **Audit log**: every security event, newest first, filtered by type and by
 * a user's name; reads again when an admin change is announced.
 */
export function AuditPage(): JSX.Element {
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const t = useAdminMessages();
  const language = useLanguage();
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
      <h2 id="audit-title">{t().auditLog}</h2>
      <div class="admin-filters">
        <label class="admin-filter">
          {t().event}
          <select
            value={type()}
            onChange={(e) => {
              setType(e.currentTarget.value);
              setPage(1);
            }}
          >
            <option value="">{t().allEvents}</option>
            <For each={Object.entries(auditLabelsFor(language().language))}>
              {([value, label]) => <option value={value}>{label}</option>}
            </For>
          </select>
        </label>
        <label class="admin-filter admin-search">
          {t().user}
          <input
            type="search"
            value={name()}
            placeholder={t().actorOrTarget}
            onInput={(e) => {
              setName(e.currentTarget.value);
              setPage(1);
            }}
          />
        </label>
      </div>
      <Show when={events.latest} fallback={<p class="muted">{t().loading}</p>}>
        {(list) => (
          <>
            <AdminTable
              rows={list().rows}
              columns={6}
              empty={t().noEventsMatch}
              head={
                <>
                  <th>{t().when}</th>
                  <th>{t().event}</th>
                  <th>{t().by}</th>
                  <th>{t().account}</th>
                  <th>{t().ip}</th>
                  <th>{t().device}</th>
                </>
              }
            >
              {(e) => (
                <tr>
                  <td>{formatWhen(e.at)}</td>
                  <td>{auditLabel(e.type, language().language)}</td>
                  <td>{e.actorName || (e.via === 'cli' ? t().commandLine : '—')}</td>
                  <td>{e.targetName || String(e.detail.group ?? '—')}</td>
                  <td>{e.ip}</td>
                  <td class="admin-agent" title={e.userAgent}>
                    {e.userAgent}
                  </td>
                </tr>
              )}
            </AdminTable>
            <Pager page={page()} total={list().total} pageSize={PAGE_SIZE} template="pageOfEvents" onPage={setPage} />
          </>
        )}
      </Show>
    </section>
  );
}
