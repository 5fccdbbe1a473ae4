import { Elysia } from 'elysia';
import { authedRoute, identity, isLoggedIn, type Runtime } from '../index';
import { notesRepository } from './notes';

/** Most notes one `GET /api/notes` answers. */
const MAX_NOTES = 200;

/**
 * The example app's HTTP routes: `GET /api/notes` answers the signed-in
 * caller's notes as JSON (401 when anonymous), from the same session cookie
 * the socket reads.
 *
 * @example
 * await createStatehouse({ router: appRouter, http: notesApi });
 */
export function notesApi(runtime: Runtime) {
  return new Elysia({ name: 'example-notes-api' }).use(identity(runtime)).get(
    '/api/notes',
    async function listNotes({ user, set }) {
      set.headers['cache-control'] = 'no-store';
      if (!isLoggedIn(user)) return { items: [] };
      const { items } = await notesRepository.list(runtime.db, user.id, { page: 1, pageSize: MAX_NOTES });
      return { items };
    },
    { beforeHandle: authedRoute() },
  );
}
