import { experimental_standaloneMiddleware, TRPCError } from '@trpc/server';
import { knownPerm, groupHeld, permissionHeld } from '../auth/permissions';
import { isLoggedIn, type AuthUser, type LoggedInUser } from '../auth/user';
import { messageFor, type MessageKey } from '../i18n/catalog';
import { loginUrlWithNext } from '../state/redirect';
import type { EventContext } from './trpc';

/** Hooks a router can set on its own guards (the app-wide ones live in config). */
export interface DenyOptions {
  /** Navigate here instead of the default error toast. */
  redirect?: string;
  /** Runs on denial, before the error is answered; may add client actions. */
  onDenied?: (ctx: EventContext, info: { reason: string }) => void | Promise<void>;
}

export interface AuthedOptions {
  /** Where anonymous callers are sent (default: `auth.loginUrl`), with `?next=`. */
  loginUrl?: string;
  /** Runs when an anonymous caller is refused. */
  onAuthFailed?: (ctx: EventContext) => void | Promise<void>;
}

const base = experimental_standaloneMiddleware<{ ctx: EventContext }>();

/**
 * A guard's test of one event: nothing (or a promise that resolves) lets the
 * event through; a refusal throws (or rejects) the typed error after adding
 * its client actions.
 */
export type GuardCheck = (ctx: EventContext) => void | Promise<void>;

/**
 * A guard: a tRPC middleware that narrows `ctx.user` to a logged-in user
 * (`publicProcedure.use(authed())`), which also hands its `check` to
 * `guarded(...)`, whose bridge runs the checks itself (see `bridge.ts`).
 */
export type Guard = ReturnType<typeof guardMiddleware> & {
  /** The test the middleware runs; `guarded()` runs it inside the bridge. */
  readonly check: GuardCheck;
};

function guardMiddleware(name: string, check: GuardCheck) {
  const middleware = base.create(function runGuard({ ctx, next }) {
    // `ctx.user` already is this user: typed as narrowed, without a new context.
    const proceed = () => next() as ReturnType<typeof next<{ user: LoggedInUser }>>;
    const pending = check(ctx);
    return pending ? pending.then(proceed) : proceed();
  });
  // Named after the guard, so it shows in stack traces and middleware lists.
  Object.defineProperty(middleware._middlewares[0]!, 'name', { value: name });
  return middleware;
}

/** A named guard from its check (the guards of `account-guards.ts` are built the same way). */
export function guard(name: string, check: GuardCheck): Guard {
  return Object.assign(guardMiddleware(name, check), { check });
}

/** A refusal message in the event's language, `auth.messages` applied. */
export function messageOf(ctx: EventContext, key: MessageKey): string {
  return messageFor(ctx.request.languageCode, key, ctx.runtime.config.auth.messages);
}

/** Sends an anonymous caller to the login page (with `?next=`) and refuses with UNAUTHORIZED. */
export async function refuseAnonymous(ctx: EventContext, options: AuthedOptions): Promise<never> {
  const loginUrl = options.loginUrl ?? ctx.runtime.config.auth.loginUrl;
  ctx.actions.navigate(loginUrlWithNext(loginUrl, ctx.request.path, ctx.connection.query));
  await options.onAuthFailed?.(ctx);
  throw new TRPCError({ code: 'UNAUTHORIZED', message: messageOf(ctx, 'loginRequired') });
}

async function refuse(ctx: EventContext, reason: string, options: DenyOptions): Promise<never> {
  if (options.redirect) ctx.actions.navigate(options.redirect);
  else ctx.actions.toast('error', messageOf(ctx, 'permissionDenied'));
  await options.onDenied?.(ctx, { reason });
  const { onPermissionDenied } = ctx.runtime.config.hooks;
  if (onPermissionDenied) {
    const answer = await onPermissionDenied({ perm: reason, userId: ctx.user.id, path: ctx.request.eventPath });
    ctx.event.addHookActions('onPermissionDenied', answer);
  }
  throw new TRPCError({ code: 'FORBIDDEN', message: messageOf(ctx, 'permissionDenied') });
}

/**
 * Requires a signed-in, active user; narrows `ctx.user` to a logged-in user.
 * Anonymous callers get UNAUTHORIZED and a redirect to the login page with
 * `?next=` set to the page they were on.
 *
 * @example
 * const me = guarded(authed()).query(({ ctx }) => ctx.user.username);
 */
export function authed(options: AuthedOptions = {}): Guard {
  return guard('isAuthed', (ctx) => (isLoggedIn(ctx.user) ? undefined : refuseAnonymous(ctx, options)));
}

/**
 * Requires a permission (`app_label.codename`): superusers pass every check,
 * inactive users none; grants are the user's own plus their groups'.
 * Anonymous callers are sent to log in; the rest get FORBIDDEN and, by
 * default, an error toast.
 *
 * @example
 * const remove = guarded(can('notes.delete_note')).input(noteId).mutation(...);
 */
export function can(perm: string, options: DenyOptions & AuthedOptions = {}): Guard {
  /**
   * This guard's answer per live user object, once known. A user object and
   * its grants never change (a new validation makes a new user object), so
   * neither does the answer; looking it up by object is cheaper than the
   * permission's string in the user's set of grants, on every event.
   */
  const answers = new WeakMap<AuthUser, boolean>();
  async function afterLoadingGrants(ctx: EventContext): Promise<void> {
    if (!(await permissionHeld(ctx.db, ctx.user, perm))) await refuse(ctx, perm, options);
  }
  return guard('hasPermission', (ctx) => {
    const user = ctx.user;
    if (!isLoggedIn(user)) return refuseAnonymous(ctx, options);
    // Synchronous when the user's grants are already loaded (the usual case).
    let known = answers.get(user);
    if (known === undefined) {
      known = knownPerm(user, perm);
      if (known !== undefined) answers.set(user, known);
    }
    if (known === true) return undefined;
    if (known === false) return refuse(ctx, perm, options);
    return afterLoadingGrants(ctx);
  });
}

/** Requires membership of a group (superusers pass). */
export function groupRequired(name: string, options: DenyOptions & AuthedOptions = {}): Guard {
  return guard('inGroup', async (ctx) => {
    if (!isLoggedIn(ctx.user)) return refuseAnonymous(ctx, options);
    if (!(await groupHeld(ctx.db, ctx.user, name))) await refuse(ctx, `group:${name}`, options);
  });
}

/** Requires `is_staff` (superusers pass only when also staff, as in Django's admin). */
export function staffRequired(options: DenyOptions & AuthedOptions = {}): Guard {
  return guard('isStaff', (ctx) => {
    if (!isLoggedIn(ctx.user)) return refuseAnonymous(ctx, options);
    if (!ctx.user.isStaff || !ctx.user.isActive) return refuse(ctx, 'staff', options);
    return undefined;
  });
}

/** Requires `is_superuser`. */
export function superuserRequired(options: DenyOptions & AuthedOptions = {}): Guard {
  return guard('isSuperuser', (ctx) => {
    if (!isLoggedIn(ctx.user)) return refuseAnonymous(ctx, options);
    if (!ctx.user.isSuperuser || !ctx.user.isActive) return refuse(ctx, 'superuser', options);
    return undefined;
  });
}
