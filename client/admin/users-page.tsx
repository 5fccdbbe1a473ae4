import { A } from '@solidjs/router';
import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useAdminClient, useAdminRevision } from './admin-client';
import { formatWhen } from './audit-labels';
import { Pager } from './pager';

type Sort = 'username' | 'email' | 'dateJoined' | 'lastLogin';
type Tri = '' | 'yes' | 'no';

const PAGE_SIZE = 25;
const triValue = (v: Tri): boolean | undefined => (v === '' ? undefined : v === 'yes');

/** A yes / no / any filter. */
function TriFilter(props: { label: string; value: Tri; onChange: (v: Tri) => void }): JSX.Element {
  return (
    <label class="admin-filter">
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as Tri)}>
        <option value="">Any</option>
        <option value="yes">Yes</option>
        <option value="no">No</option>
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
      <h2 id="users-title">Users</h2>
      <div class="admin-filters">
        <label class="admin-filter admin-search">
          Search
          <input
            type="search"
            value={search()}
            placeholder="Username, email or name"
            onInput={(e) => filter(setSearch)(e.currentTarget.value)}
          />
        </label>
        <TriFilter label="Active" value={active()} onChange={filter(setActive)} />
        <TriFilter label="Staff" value={staff()} onChange={filter(setStaff)} />
        <TriFilter label="Superuser" value={superuser()} onChange={filter(setSuperuser)} />
        <label class="admin-filter">
          Group
          <select value={groupId()} onChange={(e) => filter(setGroupId)(e.currentTarget.value)}>
            <option value="">Any</option>
            <For each={groups.latest ?? []}>{(g) => <option value={String(g.id)}>{g.name}</option>}</For>
          </select>
        </label>
      </div>
      <Show when={users.latest} fallback={<p class="muted">Loading…</p>}>
        {(list) => (
          <>
            <table class="admin-table">
              <thead>
                <tr>
                  {header('username', 'Username')}
                  {header('email', 'Email')}
                  <th>Name</th>
                  <th>Status</th>
                  {header('dateJoined', 'Joined')}
                  {header('lastLogin', 'Last sign-in')}
                </tr>
              </thead>
              <tbody>
                <For
                  each={list().rows}
                  fallback={
                    <tr>
                      <td colSpan={6}>No users match.</td>
                    </tr>
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
                        {[!u.isActive && 'Inactive', u.isStaff && 'Staff', u.isSuperuser && 'Superuser'].filter(Boolean).join(', ') ||
                          'Active'}
                      </td>
                      <td>{formatWhen(u.dateJoined)}</td>
                      <td>{u.lastLogin ? formatWhen(u.lastLogin) : 'Never'}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
            <Pager page={page()} total={list().total} pageSize={PAGE_SIZE} noun="users" onPage={setPage} />
          </>
        )}
      </Show>
    </section>
  );
}
