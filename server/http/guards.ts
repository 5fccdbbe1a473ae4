import type { AuthUser, LoggedInUser } from '../auth/user';
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

/** 401 for anonymous callers, 403 (reported to `hooks.onPermissionDenied`) when `allowed` says no. */
async function refuseUnless(
  { user, auth }: GuardContext,
  reason: string,
  allowed: (user: LoggedInUser) => boolean | Promise<boolean>,
): Promise<Response | undefined> {
  if (!isLoggedIn(user)) return refusal(401, 'unauthorized', auth.messages.loginRequired);
  if (await allowed(user)) return undefined;
  await auth.reportDenied(reason);
  return refusal(403, 'forbidden', auth.messages.permissionDenied);
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
  return function requirePermission(ctx: GuardContext): Promise<Response | undefined> {
    return refuseUnless(ctx, perm, () => ctx.auth.hasPerm(perm));
  };
}

/**
 * `beforeHandle` guard, the HTTP twin of `groupRequired()`: membership of a
 * group (superusers pass); 401 / 403 JSON as {@link canRoute}.
 *
 * @example
 * app.use(identity(runtime)).get('/api/drafts', handler, { beforeHandle: groupRoute('editors') });
 */
export function groupRoute(name: string) {
  return function requireGroup(ctx: GuardContext): Promise<Response | undefined> {
    return refuseUnless(ctx, `group:${name}`, () => ctx.auth.hasGroup(name));
  };
}

/**
 * `beforeHandle` guard, the HTTP twin of `staffRequired()`: `is_staff`
 * (superusers pass only when also staff, as in Django's admin); 401 / 403
 * JSON as {@link canRoute}.
 */
export function staffRoute() {
  return function requireStaff(ctx: GuardContext): Promise<Response | undefined> {
    return refuseUnless(ctx, 'staff', (user) => user.isStaff && user.isActive);
  };
}

/** `beforeHandle` guard, the HTTP twin of `superuserRequired()`: `is_superuser`; 401 / 403 JSON as {@link canRoute}. */
export function superuserRoute() {
  return function requireSuperuser(ctx: GuardContext): Promise<Response | undefined> {
    return refuseUnless(ctx, 'superuser', (user) => user.isSuperuser && user.isActive);
  };
}
