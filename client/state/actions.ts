import { LOGOUT_COOKIE_ENDPOINT, SESSION_COOKIE_ENDPOINT, safeNextPath, type ClientAction, type ReauthMethod } from '../../server/shared';
import { createSignal, type Accessor } from 'solid-js';
import type { ToastActions } from './toasts';

/** The part of `window.location` the actions use. */
export interface LocationLike {
  readonly href: string;
  assign(url: string): void;
  replace(url: string): void;
  reload(): void;
}

/** The part of `Storage` the actions use. */
export type StorageLike = Pick<Storage, 'length' | 'key' | 'getItem' | 'setItem' | 'removeItem' | 'clear'>;

/** The part of `fetch` the cookie exchange uses. */
export type FetchLike = (url: string, init: RequestInit) => Promise<{ ok: boolean; status: number }>;

/**
 * Asks the user to confirm it is them (the **Confirm it's you** dialog,
 * `<ConfirmIdentityDialog>`); resolves `true` once the server accepted the
 * proof, `false` when the user gave up.
 */
export type ConfirmIdentityFunction = (methods: readonly ReauthMethod[]) => Promise<boolean>;

/** What running one list of actions came to, as far as the call that answered them cares. */
export interface RunOutcome {
  /** A `confirmIdentity` action ran and the user confirmed: the refused call may be sent again. */
  identityConfirmed: boolean;
}

/** A client-side router's navigate, such as @solidjs/router's `useNavigate()`. */
export type NavigateFunction = (to: string, options?: { replace?: boolean }) => void;

export interface ActionRunnerOptions {
  /** Where `toast` actions and failure notices go. */
  toasts: Pick<ToastActions, 'show'>;
  /** @default globalThis.location */
  location?: LocationLike;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** @default globalThis.sessionStorage */
  sessionStorage?: StorageLike;
  /** @default globalThis.localStorage */
  localStorage?: StorageLike;
  /** Milliseconds before a cookie endpoint request is given up. @default 10000 */
  cookieTimeoutMs?: number;
  /** Told about an action that failed; the actions after it are skipped. @default console.warn */
  onError?: (error: unknown, action: ClientAction) => void;
  /**
   * Told that the cookie of session `session` (a tag) is now the browser's,
   * so the browser's other tabs can follow (`createSessionSync().announce`).
   */
  onCookieSynced?: (session: string) => void;
  /** Runs `followSession` (`createSessionSync().follow`). @default reloads the page */
  followSession?: (session: string, reload: boolean) => Promise<void> | void;
  /**
   * Reopens the socket so it carries the browser's current cookie: after the
   * cookie endpoint refused an anonymous ticket because the browser is signed
   * in. @default reloads the page
   */
  reconnect?: () => void;
}

/** A cookie endpoint's refusal, with its status. */
export class CookieEndpointError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
  ) {
    super(`${path} answered ${status}`);
    this.name = 'CookieEndpointError';
  }
}

/** `/auth/session`: the browser is signed in, an anonymous ticket must not replace its cookie. */
const SIGNED_IN = 409;
/** `/auth/logout`: the browser holds a newer session than the one the tab was bound to. */
const SESSION_CHANGED = 409;

export interface ActionRunner {
  /**
   * Runs `actions` in order once the lists handed over before them are done.
   * A failed action is reported and ends its list.
   */
  run(actions: readonly ClientAction[]): Promise<RunOutcome>;
  /** Routes `navigate` actions through a client-side router; returns the undo. */
  setNavigate(navigate: NavigateFunction | null): () => void;
  /** Answers `confirmIdentity` actions (the canned dialog registers itself); returns the undo. Without one the user is not asked. */
  setConfirmIdentity(confirm: ConfirmIdentityFunction | null): () => void;
  /**
   * Notes a list of actions before the delta that comes with it is applied:
   * one that leaves the page (`clearAuthThenNavigate`, or
   * `syncCookieThenNavigate` to a page) makes {@link leaving} true at once,
   * so page guards do not send the tab somewhere first (one navigation, not two).
   */
  expect(actions: readonly ClientAction[]): void;
  /** Whether the page is being left by a cookie action; false again if that action fails. */
  leaving: Accessor<boolean>;
  /**
   * The `localStorage` the client was given (default `globalThis.localStorage`;
   * none in a browser that refuses it): where the client's parts keep their
   * keys, the ones a logout clears but for `auth.logoutPreserveStorageKeys`.
   */
  localStorage(): StorageLike | undefined;
}

/** Whether an action replaces the page once it has run. */
function leavesPage(action: ClientAction): boolean {
  return action.type === 'clearAuthThenNavigate' || (action.type === 'syncCookieThenNavigate' && action.to !== null);
}

/** Shown when the cookie endpoint refuses the ticket after a socket login. */
export const SESSION_SYNC_FAILED_MESSAGE = 'We could not finish signing you in. Please try again.';
const DEFAULT_COOKIE_TIMEOUT_MS = 10_000;

/**
 * Runs the client actions the server sends with a delta: `navigate`, `toast`,
 * `syncCookieThenNavigate`, `clearAuthThenNavigate`, `followSession` and
 * `reload`.
 *
 * Every list runs after the previous one finished, so the actions of two
 * events never interleave. `navigate` only goes to http(s) URLs; the cookie
 * actions only to same-origin paths that pass `safeNextPath` (their `to`, or
 * a `?next=` from the address bar), else to `/`.
 *
 * @example
 * const [, toastActions] = createToastStore();
 * const runner = createActionRunner({ toasts: toastActions });
 * await runner.run([{ type: 'toast', kind: 'success', message: 'Saved' }, { type: 'navigate', to: '/notes' }]);
 */
export function createActionRunner(options: ActionRunnerOptions): ActionRunner {
  const {
    toasts,
    cookieTimeoutMs = DEFAULT_COOKIE_TIMEOUT_MS,
    onError = (error, action) => console.warn(`statehouse: the ${action.type} action failed`, error),
  } = options;
  const location = (): LocationLike => options.location ?? globalThis.location;
  const fetchImpl = (): FetchLike => options.fetch ?? globalThis.fetch;
  const sessionStore = (): StorageLike | undefined => options.sessionStorage ?? globalThis.sessionStorage;
  const localStore = (): StorageLike | undefined => options.localStorage ?? globalThis.localStorage;
  let navigateWith: NavigateFunction | null = null;
  let confirmWith: ConfirmIdentityFunction | null = null;
  const [leaving, setLeaving] = createSignal(false);
  let queue: Promise<unknown> = Promise.resolve();

  function resolveTarget(to: string): URL {
    const url = new URL(to, location().href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`Refusing to navigate to a ${url.protocol} URL`);
    }
    return url;
  }

  async function postCookieEndpoint(path: string, body: unknown): Promise<void> {
    const response = await fetchImpl()(new URL(path, location().href).href, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(cookieTimeoutMs),
    });
    if (!response.ok) throw new CookieEndpointError(path, response.status);
  }

  function navigate(to: string, replace: boolean): void {
    const url = resolveTarget(to);
    const here = new URL(location().href);
    if (navigateWith && url.origin === here.origin) {
      navigateWith(url.pathname + url.search + url.hash, { replace });
    } else if (replace) {
      location().replace(url.href);
    } else {
      location().assign(url.href);
    }
  }

  async function syncCookieThenNavigate(ticket: string, to: string | null, session: string | undefined): Promise<void> {
    // `to: null` syncs the cookie in place: an anonymous visitor's first session
    // write, or a password change that rotated the session, keeps the page.
    const target =
      to === null ? null : resolveTarget(sameOriginPath(to) ?? safeNextPath(new URL(location().href).searchParams.get('next')) ?? '/');
    try {
      await postCookieEndpoint(SESSION_COOKIE_ENDPOINT, { ticket });
    } catch (error) {
      if (error instanceof CookieEndpointError && error.status === SIGNED_IN) {
        // Another tab signed the browser in meanwhile: take that identity, keep the page.
        (options.reconnect ?? (() => location().reload()))();
        return;
      }
      toasts.show('error', SESSION_SYNC_FAILED_MESSAGE);
      throw error;
    }
    if (session) options.onCookieSynced?.(session);
    if (target === null) return;
    sessionStore()?.clear();
    location().assign(target.href);
  }

  async function clearAuthThenNavigate(to: string, preserveStorageKeys: readonly string[], session: string | undefined): Promise<void> {
    const target = resolveTarget(sameOriginPath(to) ?? '/');
    let failure: unknown = null;
    try {
      // The session the tab was bound to: the endpoint leaves a newer one alone.
      await postCookieEndpoint(LOGOUT_COOKIE_ENDPOINT, session ? { session } : {});
    } catch (error) {
      if (error instanceof CookieEndpointError && error.status === SESSION_CHANGED) {
        // The browser is signed in with a newer session (another tab's): its
        // storage stays, and the page shows whoever that is.
        location().reload();
        return;
      }
      // The session is already gone on the server; leaving still beats staying half logged out.
      failure = error;
    }
    sessionStore()?.clear();
    const storage = localStore();
    if (storage) clearStorageExcept(storage, new Set(preserveStorageKeys));
    location().replace(target.href);
    if (failure) throw failure;
  }

  async function runOne(action: ClientAction, outcome: RunOutcome): Promise<void> {
    switch (action.type) {
      case 'confirmIdentity':
        outcome.identityConfirmed = confirmWith ? await confirmWith(action.methods) : false;
        return;
      case 'navigate':
        return navigate(action.to, action.replace ?? false);
      case 'toast':
        toasts.show(action.kind, action.message);
        return;
      case 'syncCookieThenNavigate':
        return syncCookieThenNavigate(action.ticket, action.to, action.session);
      case 'clearAuthThenNavigate':
        return clearAuthThenNavigate(action.to, action.preserveStorageKeys ?? [], action.session);
      case 'followSession':
        if (options.followSession) return options.followSession(action.session, action.reload);
        return location().reload();
      case 'reload':
        return location().reload();
      default:
        throw new Error(`Unknown client action ${JSON.stringify((action as { type?: unknown }).type)}`);
    }
  }

  async function runList(actions: readonly ClientAction[]): Promise<RunOutcome> {
    const outcome: RunOutcome = { identityConfirmed: false };
    for (const action of actions) {
      try {
        await runOne(action, outcome);
      } catch (error) {
        // The page stays after all: guards may act again.
        if (leavesPage(action)) setLeaving(false);
        onError(error, action);
        break;
      }
    }
    return outcome;
  }

  return {
    leaving,
    expect(actions) {
      if (actions.some(leavesPage)) setLeaving(true);
    },
    run(actions) {
      if (actions.length === 0) return Promise.resolve({ identityConfirmed: false });
      if (actions.some(leavesPage)) setLeaving(true);
      const ran = queue.then(() => runList(actions));
      queue = ran;
      return ran;
    },
    localStorage() {
      try {
        return localStore();
      } catch {
        // Reading globalThis.localStorage throws where storage is refused (privacy settings).
        return undefined;
      }
    },
    setConfirmIdentity(confirmFn) {
      confirmWith = confirmFn;
      return () => {
        if (confirmWith === confirmFn) confirmWith = null;
      };
    },
    setNavigate(navigateFn) {
      navigateWith = navigateFn;
      return () => {
        if (navigateWith === navigateFn) navigateWith = null;
      };
    },
  };
}

/** `to` when it is a safe same-origin path; the cookie actions never leave the site. */
function sameOriginPath(to: string | null): string | null {
  return to === null ? null : safeNextPath(to);
}

/** Removes every key of `storage` but those in `keep`. */
export function clearStorageExcept(storage: StorageLike, keep: ReadonlySet<string>): void {
  const doomed: string[] = [];
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index);
    if (key !== null && !keep.has(key)) doomed.push(key);
  }
  for (const key of doomed) storage.removeItem(key);
}
