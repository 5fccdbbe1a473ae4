import { createSignal, Show, type JSX } from 'solid-js';
import { createFormState, Field, focusWhenShown, FormAlert, SubmitButton, useAuthMessages } from '../auth';
import { useToasts } from '../state';
import { useApp, type Note } from './app-state';
import { formatDateTime } from './format';
import { TextAreaField } from './text-area-field';

export interface NoteCardProps {
  note: Note;
  /** From the `notes` slice: whether the server lets this user delete (`notes.delete_note`). */
  canDelete: boolean;
}

/**
 * One note: its title and content as text, "Edit" (inline, with "Save" and
 * "Cancel") and "Delete" when the user may delete.
 */
export function NoteCard(props: NoteCardProps): JSX.Element {
  const app = useApp();
  const t = useAuthMessages();
  const [, toasts] = useToasts();
  const form = createFormState(t);
  const [editing, setEditing] = createSignal(false);
  const [title, setTitle] = createSignal('');
  const [content, setContent] = createSignal('');
  const [deleting, setDeleting] = createSignal(false);
  const headingId = (): string => `note-${props.note.id}-heading`;
  let editButton: HTMLButtonElement | undefined;

  const startEditing = (): void => {
    setTitle(props.note.title);
    setContent(props.note.content);
    setEditing(true);
  };
  const stopEditing = (): void => {
    setEditing(false);
    queueMicrotask(() => editButton?.focus());
  };
  const onSave = (event: SubmitEvent): void => {
    event.preventDefault();
    void form.submit({
      validate: (): Record<string, string> => (title().trim() ? {} : { title: 'Enter a title.' }),
      fields: { title: 'title', content: 'content' },
      run: async () => {
        await app.trpc.notes.update.mutate({ id: props.note.id, title: title().trim(), content: content() });
      },
      onSuccess: stopEditing,
    });
  };
  const onDelete = async (): Promise<void> => {
    setDeleting(true);
    try {
      await app.trpc.notes.delete.mutate({ id: props.note.id });
      toasts.show('success', 'Note deleted.');
    } catch {
      // The server's refusal arrives as a toast of its own.
      setDeleting(false);
    }
  };

  return (
    <article class="card note" aria-labelledby={headingId()}>
      <Show
        when={editing()}
        fallback={
          <>
            <h3 class="note-title" id={headingId()} dir="auto">
              {props.note.title}
            </h3>
            <Show when={props.note.content}>
              <p class="note-content" dir="auto">
                {props.note.content}
              </p>
            </Show>
            <div class="note-footer">
              <span class="muted">Updated {formatDateTime(props.note.updatedAt)}</span>
              <div class="note-actions">
                <button
                  type="button"
                  class="button button-small button-quiet"
                  ref={editButton}
                  aria-describedby={headingId()}
                  onClick={startEditing}
                >
                  Edit
                </button>
                <Show when={props.canDelete}>
                  <button
                    type="button"
                    class="button button-small button-danger"
                    aria-describedby={headingId()}
                    disabled={deleting()}
                    aria-busy={deleting() ? 'true' : 'false'}
                    onClick={() => void onDelete()}
                  >
                    {deleting() ? 'Deleting…' : 'Delete'}
                  </button>
                </Show>
              </div>
            </div>
          </>
        }
      >
        <form class="note-edit" novalidate ref={form.formRef} onSubmit={onSave}>
          <h3 class="visually-hidden" id={headingId()}>
            Edit “{props.note.title}”
          </h3>
          <FormAlert message={form.formError()} ref={form.alertRef} />
          <Field id={`note-${props.note.id}-title`} label="Title" {...form.bind('title', title, setTitle)} required ref={focusWhenShown} />
          <TextAreaField
            id={`note-${props.note.id}-content`}
            name="content"
            label="Content"
            value={content()}
            onInput={setContent}
            error={form.fieldError('content')}
          />
          <div class="form-actions">
            <SubmitButton label="Save" busyLabel="Saving…" busy={form.busy()} />
            <button type="button" class="button button-quiet" onClick={stopEditing}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
    </article>
  );
}
