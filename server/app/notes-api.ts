import { Elysia } from 'elysia';
import { authedRoute, identity, isLoggedIn, type Runtime } from '../index';
import { notesRepository, noteInput, noteTimestamps } from './notes';
import { notesSlice } from './slices';

/** Most notes one `GET /api/notes` answers, and the notes slice shows. */
const MAX_NOTES = 200;

/**
 * The example app's HTTP routes, on the same session cookie the socket
 * reads: `GET /api/notes` answers the signed-in caller's notes as JSON;
 * `POST /api/notes` (`{ title, content }`) adds one, and the caller's open
 * tabs, on every process, show it at once: the route pushes the `notes`
 * slice to them (`runtime.pusher`, the server's `statehouse.push`).
 * Anonymous callers get 401; a bad body 400 with the field errors.
 *
 * @example
 * await createStatehouse({ router: appRouter, http: notesApi });
 */
export function notesApi(runtime: Runtime) {
  const notesOf = async (userId: number) => (await notesRepository.list(runtime.db, userId, { page: 1, pageSize: MAX_NOTES })).items;
  return new Elysia({ name: 'example-notes-api' })
    .use(identity(runtime))
    .get(
      '/api/notes',
      async function listNotes({ user, set }) {
        set.headers['cache-control'] = 'no-store';
        if (!isLoggedIn(user)) return { items: [] };
        return { items: await notesOf(user.id) };
      },
      { beforeHandle: authedRoute() },
    )
    .post(
      '/api/notes',
      async function addNote({ user, body, set, status }) {
        set.headers['cache-control'] = 'no-store';
        if (!isLoggedIn(user)) return status(401, { error: 'unauthorized' });
        const input = noteInput.safeParse(body);
        if (!input.success) {
          const fieldErrors = input.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
          return status(400, { error: 'invalid', fieldErrors });
        }
        const note = await notesRepository.create(runtime.db, user.id, { ...input.data, ...noteTimestamps() });
        // The note is saved: a push that fails (a bus outage, too large a list) is logged, never the answer.
        try {
          await runtime.pusher.push({ userId: user.id }, notesSlice, { items: await notesOf(user.id) });
        } catch (error) {
          runtime.log.warn('could not push the notes of a note added over HTTP', { userId: user.id, error });
        }
        set.status = 201;
        return note;
      },
      { beforeHandle: authedRoute() },
    );
}
