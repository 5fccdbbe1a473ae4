import { useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show, type JSX } from 'solid-js';
import { useAuth } from '../state';
import { useAdminClient, useAdminRevision } from './admin-client';
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
export function UserDetailPage(): JSX.Element {
  const params = useParams<{ id: string }>();
  const trpc = useAdminClient();
  const me = useAuth();
  const revision = useAdminRevision();
  const { busy, run } = useAdminAction();
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

  return (
    <Show when={detail.latest} fallback={<p class="muted">{detail.error ? 'No such user.' : 'Loading…'}</p>}>
      {(d) => {
        const user = () => d().user;
        return (
          <section class="admin-detail" aria-labelledby="user-title">
            <h2 id="user-title">
              {user().username}
              <Show when={!user().isActive}>
                {' '}
                <span class="badge badge-danger">Inactive</span>
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
                  'User saved.',
                );
              }}
            >
              <h3>Profile</h3>
              <label>
                First name
                <input value={firstName() ?? user().firstName} onInput={(e) => setFirstName(e.currentTarget.value)} />
              </label>
              <label>
                Last name
                <input value={lastName() ?? user().lastName} onInput={(e) => setLastName(e.currentTarget.value)} />
              </label>
              <label>
                Email
                <input type="email" value={email() ?? user().email ?? ''} onInput={(e) => setEmail(e.currentTarget.value)} />
              </label>
              <div class="form-actions">
                <button type="submit" class="button button-small" disabled={busy() !== null}>
                  Save
                </button>
              </div>
            </form>

            <section class="card admin-card" aria-labelledby="status-title">
              <h3 id="status-title">Status</h3>
              <p class="muted">
                Joined {formatWhen(user().dateJoined)} · last sign-in {user().lastLogin ? formatWhen(user().lastLogin!) : 'never'}
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
                        void act('active', () => trpc.admin.users.setActive.mutate({ id: id(), active: true }), 'User activated.')
                      }
                    >
                      Activate
                    </button>
                  }
                >
                  <button
                    type="button"
                    class="button button-small button-danger"
                    disabled={busy() !== null}
                    onClick={() =>
                      void act(
                        'active',
                        () => trpc.admin.users.setActive.mutate({ id: id(), active: false }),
                        'User deactivated and signed out.',
                      )
                    }
                  >
                    Deactivate
                  </button>
                </Show>
                <button
                  type="button"
                  class="button button-small button-quiet"
                  disabled={busy() !== null || !user().email}
                  onClick={() =>
                    void act('reset', () => trpc.admin.users.sendPasswordReset.mutate({ id: id() }), 'Password-reset email sent.')
                  }
                >
                  Send password-reset email
                </button>
                <Show when={d().twoFactor}>
                  <button
                    type="button"
                    class="button button-small button-quiet"
                    disabled={busy() !== null}
                    onClick={() =>
                      void act('two-factor', () => trpc.admin.users.resetTwoFactor.mutate({ id: id() }), 'Two-factor authentication reset.')
                    }
                  >
                    Reset two-factor
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
                          'Staff status saved.',
                        )
                      }
                    />
                    Staff status
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
                          'Superuser status saved.',
                        )
                      }
                    />
                    Superuser status
                  </label>
                </div>
              </Show>
            </section>

            <section class="card admin-card">
              <Checklist
                legend="Groups"
                options={(groups.latest ?? []).map((g) => ({ value: g.id, label: g.name }))}
                selected={d().groups.map((g) => g.id)}
                saveLabel="Save groups"
                disabled={busy() !== null}
                onSave={(groupIds) => void act('groups', () => trpc.admin.users.setGroups.mutate({ id: id(), groupIds }), 'Groups saved.')}
              />
            </section>

            <section class="card admin-card">
              <PermissionChecklist
                selected={d().permissions}
                disabled={busy() !== null}
                onSave={(names) =>
                  void act('perms', () => trpc.admin.users.setPermissions.mutate({ id: id(), permissions: names }), 'Permissions saved.')
                }
              />
            </section>

            <section class="card admin-card" aria-labelledby="user-sessions-title">
              <div class="card-header">
                <h3 id="user-sessions-title">Sessions</h3>
                <button
                  type="button"
                  class="button button-small button-danger"
                  disabled={busy() !== null || d().sessions.length === 0}
                  onClick={() =>
                    void act('signout', () => trpc.admin.users.signOutEverywhere.mutate({ id: id() }), 'Signed out everywhere.')
                  }
                >
                  Sign out everywhere
                </button>
              </div>
              <ul class="session-list">
                <For each={d().sessions} fallback={<li class="muted">No open sessions.</li>}>
                  {(s) => (
                    <li class="session">
                      <div class="session-main">
                        <p class="session-device admin-agent" title={s.userAgent}>
                          {s.userAgent || 'Unknown device'}
                        </p>
                        <p class="session-meta muted">
                          <span>IP {s.ip || 'unknown'}</span>
                          <span>Signed in {formatWhen(s.createdAt)}</span>
                          <span>Last seen {formatWhen(s.lastSeenAt)}</span>
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
