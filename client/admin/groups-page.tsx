import { A } from '@solidjs/router';
import { createResource, createSignal, Show, type JSX } from 'solid-js';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminMessages } from './admin-messages';
import { AdminTable } from './admin-table';
import { useAdminAction } from './use-admin-action';

/** **Groups**: every group with its member and permission counts, and **Create group**. */
export function GroupsPage(props: { base: string }): JSX.Element {
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const { busy, run } = useAdminAction();
  const t = useAdminMessages();
  const [groups, { refetch }] = createResource(revision, () => trpc.admin.groups.list.query());
  const [name, setName] = createSignal('');
  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">{t().groups}</h2>
      <form
        class="admin-filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run('create', () => trpc.admin.groups.create.mutate({ name: name() }), t().groupCreated).then((ok) => {
            if (ok) setName('');
            return refetch();
          });
        }}
      >
        <label class="admin-filter">
          {t().newGroup}
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} maxLength={150} required />
        </label>
        <button type="submit" class="button button-small" disabled={busy() !== null}>
          {t().createGroup}
        </button>
      </form>
      <Show when={groups.latest} fallback={<p class="muted">{t().loading}</p>}>
        {(list) => (
          <AdminTable
            rows={list()}
            columns={3}
            empty={t().noGroupsYet}
            head={
              <>
                <th>{t().name}</th>
                <th>{t().members}</th>
                <th>{t().permissions}</th>
              </>
            }
          >
            {(g) => (
              <tr>
                <td>
                  <A href={`${props.base}/groups/${g.id}`}>{g.name}</A>
                </td>
                <td>{g.members}</td>
                <td>{g.permissions}</td>
              </tr>
            )}
          </AdminTable>
        )}
      </Show>
    </section>
  );
}
