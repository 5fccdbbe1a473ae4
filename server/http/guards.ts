import type { AuthUser } from '../auth/user';
import { isLoggedIn } from '../auth/user';
import type { HttpAuth } from './identity';

/** What the guards read from a route's context (derived by `identity()`). */
export interface GuardContext {
  user: AuthUser;
  auth: HttpAuth;
}

function refusal(status: 401 | 403, error: string, message: string): Response {
  return new Response(JSON.stringify({ error, message }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

/**
 * `beforeHandle` guard: a signed-in, active user, else 401 JSON
 * `{ error: 'unauthorized', message }`.
 *
 * @example
 * app.use(identity(runtime)).get('/api/notes', handler, { beforeHandle: authedRoute() });
 */
export function authedRoute() {
  return function requireLogin({ user, auth }: GuardContext): Response | undefined {
    if (!isLoggedIn(user)) return refusal(401, 'unauthorized', auth.messages.loginRequired);
    return undefined;
  };
}

/**
 * `beforeHandle` guard: a permission (`app_label.codename`, Django
 * semantics as `can()`): 401 JSON for anonymous callers, 403 JSON
 * `{ error: 'forbidden', message }` for users without it.
 *
 * @example
 * app.use(identity(runtime)).delete('/api/notes/:id', handler, { beforeHandle: canRoute('notes.delete_note') });
 */
export function canRoute(perm: string) {
  return async function requirePermission({ user, auth }: GuardContext): Promise<Response | undefined> {
    if (!isLoggedIn(user)) return refusal(401, 'unauthorized', auth.messages.loginRequired);
    if (!(await auth.hasPerm(perm))) return refusal(403, 'forbidden', auth.messages.permissionDenied);
    return undefined;
  };
}
