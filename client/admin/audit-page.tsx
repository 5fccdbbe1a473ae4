import { useSearchParams } from '@solidjs/router';
import { createResource, For, Show, type JSX } from 'solid-js';
import { useLanguage } from '../auth';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminMessages } from './admin-messages';
import { AdminTable } from './admin-table';
import { auditLabel, auditLabelsFor, formatWhen } from './audit-labels';
import { localDayRange } from './day-range';
import { Pager } from './pager';

const PAGE_SIZE = 50;

/** The filters as the page's URL keeps them (`?type=…&ip=…&from=…&to=…&page=…`). */
type AuditFilters = { type?: string; name?: string; ip?: string; from?: string; to?: string; page?: string };

/**
 * **Audit log**: every security event, newest first, filtered by type, a
 * user's name, an IP address and a range of local days; reads again when an
 * admin change is announced. The filters and the page live in the URL, so a
 * reload, the back button or a shared link shows the same events (the server
 * checks every value, as it does any input).
 */
export function AuditPage(): JSX.Element {
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const t = useAdminMessages();
  const language = useLanguage();
  const [params, setParams] = useSearchParams<AuditFilters>();
  const type = () => params.type ?? '';
  const name = () => params.name ?? '';
  const ip = () => params.ip ?? '';
  const from = () => params.from ?? '';
  const to = () => params.to ?? '';
  const page = () => Math.max(1, Number.parseInt(params.page ?? '', 10) || 1);
  const setPage = (next: number): void => setParams({ page: next > 1 ? String(next) : undefined });
  // Changes within one turn go to the URL together: the router reads the URL
  // it merges into only once a navigation is done, so a second write in the
  // same turn would undo the first.
  let pending: Record<string, string | undefined> | null = null;
  /** A filter's new value, back to the first page; typing replaces the history entry instead of adding one per key. */
  const refilter =
    (key: Exclude<keyof AuditFilters, 'page'>) =>
    (e: { currentTarget: { value: string } }): void => {
      if (!pending) {
        pending = { page: undefined };
        queueMicrotask(() => {
          const changes = pending!;
          pending = null;
          setParams(changes, { replace: true });
        });
      }
      pending[key] = e.currentTarget.value || undefined;
    };
  const [events] = createResource(
    () => ({ type: type(), name: name(), ip: ip().trim(), range: localDayRange(from(), to()), page: page(), revision: revision() }),
    ({ type, name, ip, range, page }) =>
      trpc.admin.audit.query({
        types: type ? [type as never] : undefined,
        name: name || undefined,
        ip: ip || undefined,
        ...range,
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
          <select value={type()} onChange={refilter('type')}>
            <option value="">{t().allEvents}</option>
            <For each={Object.entries(auditLabelsFor(language().language))}>
              {([value, label]) => <option value={value}>{label}</option>}
            </For>
          </select>
        </label>
        <label class="admin-filter admin-search">
          {t().user}
          <input type="search" value={name()} placeholder={t().actorOrTarget} onInput={refilter('name')} />
        </label>
        <label class="admin-filter">
          {t().ip}
          <input type="search" name="ip" value={ip()} placeholder={t().exactAddress} maxLength={64} onInput={refilter('ip')} />
        </label>
        <label class="admin-filter">
          {t().fromDay}
          <input type="date" name="from" value={from()} max={to() || undefined} onChange={refilter('from')} />
        </label>
        <label class="admin-filter">
          {t().toDay}
          <input type="date" name="to" value={to()} min={from() || undefined} onChange={refilter('to')} />
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
