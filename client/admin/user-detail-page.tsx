import { useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { formatMessage } from '../auth';
import { useAuth } from '../state';
import { useAdminClient, useAdminRevision } from './admin-client';
import { useAdminMessages } from './admin-messages';
import { formatWhen } from './audit-labels';
import { Checklist, PermissionChecklist } from './checklist';
import { useAdminAction } from './use-admin-action';

/**
 * **User detail**: names and email; **Deactivate** / **Activate**; staff
 * and superuser status (superusers only); groups; direct permissions; the
 * user's sessions with **Sign out everywhere**; **Send password-reset email**;
 * **Reset two-factor** when the user has it on.
 * Every change reaches the user's open tabs at once (the server pushes it).
 */
export function UserDetailPage(props: { base: string }): JSX.Element {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const trpc = useAdminClient();
  const me = useAuth();
  const revision = useAdminRevision();
  const { busy, run } = useAdminAction();
  const t = useAdminMessages();
  const id = () => Number(params.id);
  const [detail, { refetch }] = createResource(
    () => ({ id: id(), revision: revision() }),
    ({ id }) => trpc.admin.users.get.query({ id }),
  );
  const [groups] = createResource(revision, () => trpc.admin.groups.list.query().catch(() => []));
  const [firstName, setFirstName] = createSignal<string | null>(null);
  const [lastName, setLastName] = createSignal<string | null>(null);
  const [email, setEmail] = createSignal<string | null>(null);
  const act = async (key: string, call: () => Promise<unknown>, done: string) => {
    if (await run(key, call, done)) await refetch();
  };
  const deleteUser = async () => {
    // Deleting oneself (another admin remaining) signs this tab out: the server's action takes it away.
    if (await run('delete', () => trpc.admin.users.delete.mutate({ id: id() }), t().userDeleted)) navigate(`${props.base}/users`);
  };

  return (
    <Show when={detail.latest} fallback={<p class="muted">{detail.error ? t().noSuchUser : t().loading}</p>}>
      {(d) => {
        const user = () => d().user;
        return (
          <section class="admin-detail" aria-labelledby="user-title">
            <h2 id="user-title">
              {user().username}
              <Show when={!user().isActive}>
                {' '}
                <span class="badge badge-danger">{t().inactive}</span>
              </Show>
            </h2>
            <form
              class="card admin-card"
              onSubmit={(e) => {
                e.preventDefault();
                void act(
                  'save',
                  () =>
                    trpc.admin.users.update.mutate({
                      id: id(),
                      firstName: firstName() ?? user().firstName,
                      lastName: lastName() ?? user().lastName,
                      email: email() ?? user().email ?? '',
                    }),
                  t().userSaved,
                );
              }}
            >
              <h3>{t().profile}</h3>
              <label>
                {t().firstName}
                <input value={firstName() ?? user().firstName} onInput={(e) => setFirstName(e.currentTarget.value)} />
              </label>
              <label>
                {t().lastName}
                <input value={lastName() ?? user().lastName} onInput={(e) => setLastName(e.currentTarget.value)} />
              </label>
              <label>
                {t().email}
                <input type="email" value={email() ?? user().email ?? ''} onInput={(e) => setEmail(e.currentTarget.value)} />
              </label>
              <div class="form-actions">
                <button type="submit" class="button button-small" disabled={busy() !== null}>
                  {t().save}
                </button>
              </div>
            </form>

            <section class="card admin-card" aria-labelledby="status-title">
              <h3 id="status-title">{t().status}</h3>
              <p class="muted">
                {formatMessage(t().joinedLine, {
                  joined: formatWhen(user().dateJoined),
                  last: user().lastLogin ? formatWhen(user().lastLogin!) : t().neverLower,
                })}
              </p>
              <div class="form-actions">
                <Show
                  when={user().isActive}
                  fallback={
                    <button
                      type="button"
                      class="button button-small"
                      disabled={busy() !== null}
                      onClick={() =>
                        void act('active', () => trpc.admin.users.setActive.mutate({ id: id(), active: true }), t().userActivated)
                      }
                    >
                      {t().activate}
                    </button>
                  }
                >
                  <button
                    type="button"
                    class="button button-small button-danger"
                    disabled={busy() !== null}
                    onClick={() =>
                      void act('active', () => trpc.admin.users.setActive.mutate({ id: id(), active: false }), t().userDeactivated)
                    }
                  >
                    {t().deactivate}
                  </button>
                </Show>
                <button
                  type="button"
                  class="button button-small button-quiet"
                  disabled={busy() !== null || !user().email}
                  onClick={() => void act('reset', () => trpc.admin.users.sendPasswordReset.mutate({ id: id() }), t().passwordResetSent)}
                >
                  {t().sendPasswordReset}
                </button>
                <Show when={d().twoFactor}>
                  <button
                    type="button"
                    class="button button-small button-quiet"
                    disabled={busy() !== null}
                    onClick={() => void act('two-factor', () => trpc.admin.users.resetTwoFactor.mutate({ id: id() }), t().twoFactorReset)}
                  >
                    {t().resetTwoFactor}
                  </button>
                </Show>
              </div>
              <Show when={me.isSuperuser}>
                <div class="admin-flags">
                  <label>
                    <input
                      type="checkbox"
                      checked={user().isStaff}
                      disabled={busy() !== null}
                      onChange={(e) =>
                        void act(
                          'flags',
                          () => trpc.admin.users.setFlags.mutate({ id: id(), isStaff: e.currentTarget.checked }),
                          t().staffSaved,
                        )
                      }
                    />
                    {t().staffStatus}
                  </label>
                  <label>
                    <input
                      type="checkbox"
                      checked={user().isSuperuser}
                      disabled={busy() !== null}
                      onChange={(e) =>
                        void act(
                          'flags',
                          () => trpc.admin.users.setFlags.mutate({ id: id(), isSuperuser: e.currentTarget.checked }),
                          t().superuserSaved,
                        )
                      }
                    />
                    {t().superuserStatus}
                  </label>
                </div>
              </Show>
            </section>

            <section class="card admin-card">
              <Checklist
                legend={t().groups}
                options={(groups.latest ?? []).map((g) => ({ value: g.id, label: g.name }))}
                selected={d().groups.map((g) => g.id)}
                saveLabel={t().saveGroups}
                disabled={busy() !== null}
                onSave={(groupIds) => void act('groups', () => trpc.admin.users.setGroups.mutate({ id: id(), groupIds }), t().groupsSaved)}
              />
            </section>

            <section class="card admin-card">
              <PermissionChecklist
                selected={d().permissions}
                disabled={busy() !== null}
                onSave={(names) =>
                  void act('perms', () => trpc.admin.users.setPermissions.mutate({ id: id(), permissions: names }), t().permissionsSaved)
                }
              />
            </section>

            <Show when={d().mayDelete}>
              <DeleteUser username={user().username} busy={busy() !== null} onDelete={() => void deleteUser()} />
            </Show>

            <section class="card admin-card" aria-labelledby="user-sessions-title">
              <div class="card-header">
                <h3 id="user-sessions-title">{t().sessions}</h3>
                <button
                  type="button"
                  class="button button-small button-danger"
                  disabled={busy() !== null || d().sessions.length === 0}
                  onClick={() =>
                    void act('signout', () => trpc.admin.users.signOutEverywhere.mutate({ id: id() }), t().signedOutEverywhere)
                  }
                >
                  {t().signOutEverywhere}
                </button>
              </div>
              <ul class="session-list">
                <For each={d().sessions} fallback={<li class="muted">{t().noOpenSessions}</li>}>
                  {(s) => (
                    <li class="session">
                      <div class="session-main">
                        <p class="session-device admin-agent" title={s.userAgent}>
                          {s.userAgent || t().unknownDevice}
                        </p>
                        <p class="session-meta muted">
                          <span>{formatMessage(t().ipOf, { ip: s.ip || t().unknown })}</span>
                          <span>{formatMessage(t().signedInAt, { when: formatWhen(s.createdAt) })}</span>
                          <span>{formatMessage(t().lastSeenAt, { when: formatWhen(s.lastSeenAt) })}</span>
                        </p>
                      </div>
                    </li>
                  )}
                </For>
              </ul>
            </section>
          </section>
        );
      }}
    </Show>
  );
}

/** **Delete user**, asked twice: the user, their sessions and data go; their open tabs are signed out. */
function DeleteUser(props: { username: string; busy: boolean; onDelete: () => void }): JSX.Element {
  const t = useAdminMessages();
  const [asking, setAsking] = createSignal(false);
  return (
    <section class="card admin-card danger-zone" aria-labelledby="delete-user-title">
      <h3 id="delete-user-title">{t().deleteUser}</h3>
      <p class="muted">{formatMessage(t().deleteUserWarning, { username: props.username })}</p>
      <Show
        when={asking()}
        fallback={
          <button type="button" class="button button-small button-danger" disabled={props.busy} onClick={() => setAsking(true)}>
            {t().deleteUser}
          </button>
        }
      >
        <div class="form-actions">
          <button type="button" class="button button-small button-danger" disabled={props.busy} onClick={() => props.onDelete()}>
            {formatMessage(t().deleteUserConfirm, { username: props.username })}
          </button>
          <button type="button" class="button button-small button-quiet" onClick={() => setAsking(false)}>
            {t().cancel}
          </button>
        </div>
      </Show>
    </section>
  );
}
