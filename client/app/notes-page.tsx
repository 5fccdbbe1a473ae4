import { For, onMount, Show, type JSX } from 'solid-js';
import { onAccessChange } from '../admin';
import { useApp } from './app-state';
import { NoteCard } from './note-card';
import { NoteForm } from './note-form';
import { usePageTitle } from './page-title';
import { useVisit } from './use-visit';

/**
 * `/notes` (signed-in users only): the user's own notes from the `notes`
 * slice, which the server keeps current after every add, edit and delete.
 */
export function NotesPage(): JSX.Element {
  const app = useApp();
  const notes = app.slices.notes;
  usePageTitle('Notes');
  useVisit();
  const list = () => {
    app.trpc.notes.list.query().catch((error: unknown) => console.warn('could not list the notes', error));
  };
  onMount(list);
  // A granted or removed permission shows or hides Delete at once.
  onAccessChange(list);

  return (
    <section class="page" aria-labelledby="notes-title">
      <header class="page-header">
        <h1 id="notes-title">Notes</h1>
        <p class="lead">Only you can see these.</p>
      </header>
      <div class="notes-layout">
        <NoteForm />
        <section class="notes-list" aria-labelledby="your-notes-title">
          <h2 id="your-notes-title">
            Your notes <span class="count">{notes.items.length}</span>
          </h2>
          <Show when={notes.items.length > 0} fallback={<p class="empty">No notes yet. Add your first one.</p>}>
            <For each={notes.items}>{(note) => <NoteCard note={note} canDelete={notes.canDelete} />}</For>
          </Show>
        </section>
      </div>
    </section>
  );
}
