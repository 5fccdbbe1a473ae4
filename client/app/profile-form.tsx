import { createEffect, createSignal, on, type JSX } from 'solid-js';
import { createFormState, Field, FormAlert, SubmitButton, useAuthMessages } from '../auth';
import { useAuth } from '../state';
import { useApp } from './app-state';

/**
 * "Display name" and "Save profile" (`profile.update`): the app's own user
 * field. The navbar of every open tab shows the new name at once.
 */
export function ProfileForm(): JSX.Element {
  const app = useApp();
  const auth = useAuth();
  const t = useAuthMessages();
  const form = createFormState(t);
  const [displayName, setDisplayName] = createSignal(auth.displayName ?? '');
  // Another tab saved a new name: show it, unless this form is being sent.
  createEffect(
    on(
      () => auth.displayName,
      (name) => form.busy() || setDisplayName(name ?? ''),
      { defer: true },
    ),
  );
  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate: () => ({}),
      fields: { displayName: 'displayName' },
      run: async () => {
        await app.trpc.profile.update.mutate({ displayName: displayName() });
      },
    });
  };
  return (
    <form class="card" novalidate ref={form.formRef} onSubmit={onSubmit} aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      <p class="muted">The name shown next to “Hi,” in the top bar; your username when empty.</p>
      <FormAlert message={form.formError()} ref={form.alertRef} />
      <Field
        id="settings-display-name"
        label="Display name"
        autocomplete="nickname"
        {...form.bind('displayName', displayName, setDisplayName)}
      />
      <div class="form-actions">
        <SubmitButton label="Save profile" busyLabel="Saving…" busy={form.busy()} />
      </div>
    </form>
  );
}
