import { createSignal, type JSX } from 'solid-js';
import { createFormState, Field, FormAlert, SubmitButton, useAuthMessages } from '../auth';
import { useApp } from './app-state';
import { TextAreaField } from './text-area-field';

/** The "new note" form: Title, Content and "Add note" (`notes.add`). */
export function NoteForm(): JSX.Element {
  const app = useApp();
  const t = useAuthMessages();
  const form = createFormState(t);
  const [title, setTitle] = createSignal('');
  const [content, setContent] = createSignal('');

  const onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate: (): Record<string, string> => (title().trim() ? {} : { title: 'Enter a title.' }),
      fields: { title: 'title', content: 'content' },
      run: async () => {
        await app.trpc.notes.add.mutate({ title: title().trim(), content: content() });
      },
      onSuccess: () => {
        setTitle('');
        setContent('');
      },
    });
  };

  return (
    <form class="card note-form" novalidate ref={form.formRef} onSubmit={onSubmit} aria-labelledby="new-note-title">
      <h2 id="new-note-title">New note</h2>
      <FormAlert message={form.formError()} ref={form.alertRef} />
      <Field id="new-note-title-input" label="Title" {...form.bind('title', title, setTitle)} required />
      <TextAreaField
        id="new-note-content"
        name="content"
        label="Content"
        value={content()}
        onInput={setContent}
        error={form.fieldError('content')}
        rows={3}
      />
      <div class="form-actions">
        <SubmitButton label="Add note" busyLabel="Adding…" busy={form.busy()} />
      </div>
    </form>
  );
}
