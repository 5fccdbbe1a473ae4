import { A } from '@solidjs/router';
import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminMessages } from './admin-messages';
import { AdminTable } from './admin-table';
import { formatWhen } from './audit-labels';
import { Pager } from './pager';

type Sort = 'username' | 'email' | 'dateJoined' | 'lastLogin';
type Tri = '' | 'yes' | 'no';

const PAGE_SIZE = 25;
const triValue = (v: Tri): boolean | undefined => (v === '' ? undefined : v === 'yes');

/** A yes / no / any filter. */
function TriFilter(props: { label: string; value: Tri; onChange: (v: Tri) => void }): JSX.Element {
  const t = useAdminMessages();
  return (
    <label class="admin-filter">
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as Tri)}>
        <option value="">{t().any}</option>
        <option value="yes">{t().yes}</option>
        <option value="no">{t().no}</option>
      </select>
    </label>
  );
}

/**
 * **Users**: search (username, email, name), filters (active, staff,
 * superuser, group), sortable columns and pages, all answered by the server
 * in SQL. Reads again when another admin changes anything.
 */
export function UsersPage(props: { base: string }): JSX.Element {
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const t = useAdminMessages();
  const [search, setSearch] = createSignal('');
  const [active, setActive] = createSignal<Tri>('');
  const [staff, setStaff] = createSignal<Tri>('');
  const [superuser, setSuperuser] = createSignal<Tri>('');
  const [groupId, setGroupId] = createSignal('');
  const [sort, setSort] = createSignal<Sort>('username');
  const [direction, setDirection] = createSignal<'asc' | 'desc'>('asc');
  const [page, setPage] = createSignal(1);
  const [groups] = createResource(revision, () => trpc.admin.groups.list.query().catch(() => []));
  const [users] = createResource(
    () => ({
      search: search() || undefined,
      isActive: triValue(active()),
      isStaff: triValue(staff()),
      isSuperuser: triValue(superuser()),
      groupId: groupId() ? Number(groupId()) : undefined,
      sort: sort(),
      direction: direction(),
      page: page(),
      pageSize: PAGE_SIZE,
      revision: revision(),
    }),
    ({ revision: _, ...query }) => trpc.admin.users.list.query(query),
  );
  const filter =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
    };
  const sortBy = (column: Sort) => {
    if (sort() === column) setDirection(direction() === 'asc' ? 'desc' : 'asc');
    else {
      setSort(column);
      setDirection('asc');
    }
  };
  const header = (column: Sort, label: string) => (
    <th aria-sort={sort() === column ? (direction() === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" class="admin-sort" onClick={() => sortBy(column)}>
        {label}
        {sort() === column ? (direction() === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );

  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">{t().users}</h2>
      <div class="admin-filters">
        <label class="admin-filter admin-search">
          {t().search}
          <input
            type="search"
            value={search()}
            placeholder={t().searchPlaceholder}
            onInput={(e) => filter(setSearch)(e.currentTarget.value)}
          />
        </label>
        <TriFilter label={t().active} value={active()} onChange={filter(setActive)} />
        <TriFilter label={t().staff} value={staff()} onChange={filter(setStaff)} />
        <TriFilter label={t().superuser} value={superuser()} onChange={filter(setSuperuser)} />
        <label class="admin-filter">
          {t().group}
          <select value={groupId()} onChange={(e) => filter(setGroupId)(e.currentTarget.value)}>
            <option value="">{t().any}</option>
            <For each={groups.latest ?? []}>{(g) => <option value={String(g.id)}>{g.name}</option>}</For>
          </select>
        </label>
      </div>
      <Show when={users.latest} fallback={<p class="muted">{t().loading}</p>}>
        {(list) => (
          <>
            <AdminTable
              rows={list().rows}
              columns={6}
              empty={t().noUsersMatch}
              head={
                <>
                  {header('username', t().username)}
                  {header('email', t().email)}
                  <th>{t().name}</th>
                  <th>{t().status}</th>
                  {header('dateJoined', t().joined)}
                  {header('lastLogin', t().lastSignIn)}
                </>
              }
            >
              {(u) => (
                <tr classList={{ 'admin-inactive': !u.isActive }}>
                  <td>
                    <A href={`${props.base}/users/${u.id}`}>{u.username}</A>
                  </td>
                  <td>{u.email ?? ''}</td>
                  <td>{`${u.firstName} ${u.lastName}`.trim()}</td>
                  <td>
                    {[!u.isActive && t().inactive, u.isStaff && t().staff, u.isSuperuser && t().superuser]
                      .filter(Boolean)
                      .join(t().listSeparator) || t().active}
                  </td>
                  <td>{formatWhen(u.dateJoined)}</td>
                  <td>{u.lastLogin ? formatWhen(u.lastLogin) : t().never}</td>
                </tr>
              )}
            </AdminTable>
            <Pager page={page()} total={list().total} pageSize={PAGE_SIZE} template="pageOfUsers" onPage={setPage} />
          </>
        )}
      </Show>
    </section>
  );
}
