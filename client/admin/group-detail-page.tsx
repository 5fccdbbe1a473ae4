import { useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { formatMessage } from '../auth';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminMessages } from './admin-messages';
import { PermissionChecklist } from './checklist';
import { useAdminAction } from './use-admin-action';

/** A group: **Rename**, **Delete group**, its permissions and its members. */
export function GroupDetailPage(props: { base: string }): JSX.Element {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const trpc = useAdminClient();
  const revision = useAdminRevision();
  const { busy, run } = useAdminAction();
  const t = useAdminMessages();
  const id = () => Number(params.id);
  const [detail, { refetch }] = createResource(
    () => ({ id: id(), revision: revision() }),
    ({ id }) => trpc.admin.groups.get.query({ id }),
  );
  const [name, setName] = createSignal<string | null>(null);
  const [member, setMember] = createSignal('');
  const act = async (key: string, call: () => Promise<unknown>, done: string) => {
    if (await run(key, call, done)) await refetch();
  };
  const addMember = async () => {
    const found = await trpc.admin.users.list.query({ search: member(), pageSize: 100 });
    const user = found.rows.find((u) => u.username.toLowerCase() === member().trim().toLowerCase());
    const members = detail.latest?.members.map((m) => m.id) ?? [];
    await act(
      'members',
      async () => {
        if (!user) throw new Error(formatMessage(t().noUserNamed, { name: member().trim() }));
        await trpc.admin.groups.setMembers.mutate({ id: id(), userIds: [...members, user.id] });
      },
      t().memberAdded,
    );
    setMember('');
  };

  return (
    <Show when={detail.latest} fallback={<p class="muted">{detail.error ? t().noSuchGroup : t().loading}</p>}>
      {(d) => (
        <section class="admin-detail" aria-labelledby="group-title">
          <h2 id="group-title">{d().group.name}</h2>
          <form
            class="card admin-card"
            onSubmit={(e) => {
              e.preventDefault();
              void act('rename', () => trpc.admin.groups.rename.mutate({ id: id(), name: name() ?? d().group.name }), t().groupRenamed);
            }}
          >
            <label>
              {t().name}
              <input value={name() ?? d().group.name} onInput={(e) => setName(e.currentTarget.value)} maxLength={150} />
            </label>
            <div class="form-actions">
              <button type="submit" class="button button-small" disabled={busy() !== null}>
                {t().rename}
              </button>
              <button
                type="button"
                class="button button-small button-danger"
                disabled={busy() !== null}
                onClick={() =>
                  void run('delete', () => trpc.admin.groups.delete.mutate({ id: id() }), t().groupDeleted).then((ok) => {
                    if (ok) navigate(`${props.base}/groups`);
                  })
                }
              >
                {t().deleteGroup}
              </button>
            </div>
          </form>
          <section class="card admin-card">
            <PermissionChecklist
              selected={d().permissions}
              disabled={busy() !== null}
              onSave={(names) =>
                void act('perms', () => trpc.admin.groups.setPermissions.mutate({ id: id(), permissions: names }), t().permissionsSaved)
              }
            />
          </section>
          <section class="card admin-card" aria-labelledby="members-title">
            <h3 id="members-title">{t().members}</h3>
            <ul class="admin-members">
              <For each={d().members} fallback={<li class="muted">{t().noMembers}</li>}>
                {(m) => (
                  <li>
                    {m.username}{' '}
                    <button
                      type="button"
                      class="button button-small button-quiet"
                      disabled={busy() !== null}
                      onClick={() =>
                        void act(
                          'members',
                          () =>
                            trpc.admin.groups.setMembers.mutate({
                              id: id(),
                              userIds: d()
                                .members.filter((x) => x.id !== m.id)
                                .map((x) => x.id),
                            }),
                          t().memberRemoved,
                        )
                      }
                    >
                      {t().remove}
                    </button>
                  </li>
                )}
              </For>
            </ul>
            <form
              class="admin-filters"
              onSubmit={(e) => {
                e.preventDefault();
                void addMember();
              }}
            >
              <label class="admin-filter">
                {t().username}
                <input value={member()} onInput={(e) => setMember(e.currentTarget.value)} required />
              </label>
              <button type="submit" class="button button-small" disabled={busy() !== null}>
                {t().addMember}
              </button>
            </form>
          </section>
        </section>
      )}
    </Show>
  );
}
