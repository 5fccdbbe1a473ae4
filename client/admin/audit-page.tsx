import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useLanguage } from '../auth';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminMessages } from './admin-messages';
import { AdminTable } from './admin-table';
import { auditLabel, auditLabelsFor, formatWhen } from './audit-labels';
import { localDayRange } from './day-range';
import { Pager } from './pager';

const PAGE_SIZE = 50;

/**
 * **Audit log**: every security event, newest first, filtered by type, a
 * user's name, an IP address and a range of local days; reads again when an
 * admin change is announced.
 */
export function AuditPage(): JSX.Element {
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const t = useAdminMessages();
  const language = useLanguage();
  const [type, setType] = createSignal('');
  const [name, setName] = createSignal('');
  const [ip, setIp] = createSignal('');
  const [from, setFrom] = createSignal('');
  const [to, setTo] = createSignal('');
  const [page, setPage] = createSignal(1);
  /** A filter's new value, back to the first page. */
  const refilter =
    (set: (value: string) => void) =>
    (e: { currentTarget: { value: string } }): void => {
      set(e.currentTarget.value);
      setPage(1);
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
          <select value={type()} onChange={refilter(setType)}>
            <option value="">{t().allEvents}</option>
            <For each={Object.entries(auditLabelsFor(language().language))}>
              {([value, label]) => <option value={value}>{label}</option>}
            </For>
          </select>
        </label>
        <label class="admin-filter admin-search">
          {t().user}
          <input type="search" value={name()} placeholder={t().actorOrTarget} onInput={refilter(setName)} />
        </label>
        <label class="admin-filter">
          {t().ip}
          <input type="search" name="ip" value={ip()} placeholder={t().exactAddress} maxLength={64} onInput={refilter(setIp)} />
        </label>
        <label class="admin-filter">
          {t().fromDay}
          <input type="date" name="from" value={from()} max={to() || undefined} onChange={refilter(setFrom)} />
        </label>
        <label class="admin-filter">
          {t().toDay}
          <input type="date" name="to" value={to()} min={from() || undefined} onChange={refilter(setTo)} />
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
