import { A } from '@solidjs/router';
import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminAction } from './use-admin-action';

/** **Groups**: every group with its member and permission counts, and **Create group**. */
export function GroupsPage(props: { base: string }): JSX.Element {
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const { busy, run } = useAdminAction();
  const [groups, { refetch }] = createResource(revision, () => trpc.admin.groups.list.query());
  const [name, setName] = createSignal('');
  return (
    <section aria-labelledby="groups-title">
      <h2 id="groups-title">Groups</h2>
      <form
        class="admin-filters"
        onSubmit={(e) => {
          e.preventDefault();
          void run('create', () => trpc.admin.groups.create.mutate({ name: name() }), 'Group created.').then((ok) => {
            if (ok) setName('');
            return refetch();
          });
        }}
      >
        <label class="admin-filter">
          New group
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} maxLength={150} required />
        </label>
        <button type="submit" class="button button-small" disabled={busy() !== null}>
          Create group
        </button>
      </form>
      <Show when={groups.latest} fallback={<p class="muted">Loading…</p>}>
        {(list) => (
          <table class="admin-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Members</th>
                <th>Permissions</th>
              </tr>
            </thead>
            <tbody>
              <For
                each={list()}
                fallback={
                  <tr>
                    <td colSpan={3}>No groups yet.</td>
                  </tr>
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
              </For>
            </tbody>
          </table>
        )}
      </Show>
    </section>
  );
}
