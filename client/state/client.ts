import type { AnyRouter } from '@trpc/server';
import { batch, createSignal, type Accessor } from 'solid-js';
import {
  ANONYMOUS_SNAPSHOT,
  AUTH_SLICE,
  ROUTE_MUTATION_PATH,
  SITE_SLICE,
  STATE_SUBSCRIPTION_PATH,
  type AuthSnapshot,
  type ConnectionParams,
  type RouteReport,
  type SiteSnapshot,
  type StatePush,
} from '../../server/shared';
import {
  createActionRunner,
  type ActionRunner,
  type FetchLike,
  type LocationLike,
  type NavigateFunction,
  type StorageLike,
} from './actions';
import { backoffWithJitter } from './backoff';
import { createSessionSync, takeSignedInSession } from './session-sync';
import { createStateCalls } from './link';
import { createStateSocket, type ConnectionStatus } from './socket';
import { createSliceStore, type SliceMap, type SliceStoreActions } from './store';
import { createToastStore, type Toast, type ToastActions } from './toasts';
import { createTrpcProxy, type StateTrpc } from './trpc';

export type { ConnectionStatus };

/** The slices every client has, whatever the app declares. */
export type DefaultSlices = Record<string, Record<string, unknown>> & { auth: AuthSnapshot };

export interface StateClientOptions<TSlices extends SliceMap> {
  /** @default `ws(s)://<this host>/trpc` */
  url?: string;
  /** What the slices hold before the server's first push; `auth` starts anonymous. */
  initialSlices?: Partial<TSlices>;
  /** @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
  /** Delay before reconnect attempt `n`. @default backoffWithJitter() */
  retryDelayMs?: (attemptIndex: number) => number;
  /** Ping the server and reconnect when it stops answering. Off by default. */
  keepAlive?: { enabled: boolean; intervalMs?: number; pongTimeoutMs?: number };
  /** How long `close()` waits for the answers of calls in flight before failing them. @default 5000 */
  closeTimeoutMs?: number;
  /** @default globalThis.location */
  location?: LocationLike;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** @default globalThis.sessionStorage */
  sessionStorage?: StorageLike;
  /** @default globalThis.localStorage */
  localStorage?: StorageLike;
  /** How long toasts stay. @default 5000 */
  toastDurationMs?: number;
  /** Told about failed client actions, state pushes, route reports, connection attempts and callbacks that threw. @default console.warn */
  onError?: (error: unknown, source: string) => void;
  /** How the browser's tabs tell each other about the session cookie. @default globalThis.BroadcastChannel */
  BroadcastChannel?: typeof BroadcastChannel | null;
  /** How long a tab told to `followSession` waits for the browser's new cookie. @default 10000 */
  followTimeoutMs?: number;
  /**
   * Routes with a secret in their path (`'/invite/:code'`): each `:name`
   * segment is sent as `:name` in the connection params and route reports,
   * so a one-time token never goes into a WebSocket frame or the server's
   * route mirror. The email-verification and password-reset confirm pages
   * (`verifyEmailUrl/:token`, `passwordResetUrl/:token`) are always
   * included: at their default URLs from the start, at the `site` slice's
   * once it arrives.
   */
  secretRoutes?: readonly string[];
}

export interface StateClient<TRouter extends AnyRouter, TSlices extends SliceMap> {
  /** The typed client: each call resolves with the handler's own return value, or rejects with a `StateClientError`. */
  trpc: StateTrpc<TRouter>;
  /** The connection's slices, as a read-only Solid store. */
  slices: TSlices;
  /** Direct access to the slice store, e.g. to reset it in tests. */
  sliceActions: SliceStoreActions;
  toasts: readonly Toast[];
  toastActions: ToastActions;
  status: Accessor<ConnectionStatus>;
  /** The per-tab id sent in the connection params. */
  tabId: string;
  actions: ActionRunner;
  /** Routes `navigate` actions through a client-side router; returns the undo. */
  setNavigate(navigate: NavigateFunction | null): () => void;
  /**
   * Tells the server the tab now shows `path` + `search` (`location.search`,
   * with its `?`), the secret segments of `secretRoutes` replaced. Repeats
   * are skipped; while the socket is down the route waits for the next
   * connection params.
   */
  reportRoute(path: string, search: string): Promise<void>;
  /** `path` with the secret segments of `secretRoutes` replaced by their `:name`: what may be sent to the server. */
  redactPath(path: string): string;
  /** Stops the state subscription, closes the socket and clears toast timers. */
  close(): Promise<void>;
}

/**
 * The `performance.mark` set once per client, when the store has applied its
 * first `statehouse.state` push: `performance.getEntriesByName(FIRST_PUSH_MARK)[0].startTime`
 * is the milliseconds from navigation to the page's first real state.
 */
export const FIRST_PUSH_MARK = 'statehouse:first-push';

/** The sessionStorage key of the per-tab id. */
export const TAB_ID_STORAGE_KEY = 'statehouse.tabId';

/**
 * Opens the tab's WebSocket and wires it to Solid: a typed client of the router whose
 * results update the slice stores and run client actions, the
 * `statehouse.state` subscription for pushes, a connection status signal and
 * the route mirror. Reconnects with jittered exponential backoff and resumes
 * the tab's slices through its tab id.
 *
 * @example
 * const client = createStateClient<AppRouter, AppSlices>({ initialSlices: { dashboard: dashboardSlice.initial } });
 * // On `/?tab=activity`: the reply's delta sets the slice before the call resolves.
 * await client.trpc.dashboard.visit.mutate({ path: '/' }); // client.slices.dashboard.tab === 'activity'
 */
export function createStateClient<TRouter extends AnyRouter, TSlices extends SliceMap = DefaultSlices>(
  options: StateClientOptions<TSlices> = {},
): StateClient<TRouter, TSlices> {
  const location = (): LocationLike => options.location ?? globalThis.location;
  const report = options.onError ?? ((error: unknown, source: string) => console.warn(`statehouse: ${source}`, error));
  const initialSlices: Partial<SliceMap> = { [AUTH_SLICE]: ANONYMOUS_SNAPSHOT, ...options.initialSlices };
  const [slices, sliceActions] = createSliceStore<TSlices>(initialSlices as Partial<TSlices>);
  const [toasts, toastActions] = createToastStore({ durationMs: options.toastDurationMs });
  // Set once the socket client exists: reopening the socket is its business.
  let reconnect = (): void => undefined;
  const signedIn = (): boolean => (slices[AUTH_SLICE] as Partial<AuthSnapshot> | undefined)?.isAuthenticated === true;
  const sessionSync = createSessionSync({
    reconnect: () => reconnect(),
    reload: () => location().reload(),
    isSignedIn: signedIn,
    BroadcastChannel: options.BroadcastChannel,
    followTimeoutMs: options.followTimeoutMs,
  });
  // Landed here from a sign-in over HTTP: the browser's other tabs follow its new session.
  const signedInSession = takeSignedInSession();
  if (signedInSession) sessionSync.announce(signedInSession, true);
  const actions = createActionRunner({
    toasts: toastActions,
    location: options.location,
    fetch: options.fetch,
    sessionStorage: options.sessionStorage,
    localStorage: options.localStorage,
    onError: (error, action) => report(error, `the ${action.type} action failed`),
    onCookieSynced: (session) => sessionSync.announce(session, signedIn()),
    followSession: (session, reload) => sessionSync.follow(session, reload),
    reconnect: () => reconnect(),
  });
  const tabId = readTabId(options.sessionStorage ?? globalThis.sessionStorage);
  const [status, setStatus] = createSignal<ConnectionStatus>('connecting');
  let socketOpen = false;
  /** The tab's route as the router last reported it; `null` until it does. */
  let currentRoute: RouteReport | null = null;
  /** The route the server's mirror holds, from the connection params or a report. */
  let mirroredRoute: string | null = null;

  const secretRoutes = (): readonly string[] => {
    const site = slices[SITE_SLICE] as Partial<SiteSnapshot> | undefined;
    return [
      ...DEFAULT_SECRET_ROUTES,
      ...(site?.verifyEmailUrl ? [tokenRoute(site.verifyEmailUrl)] : []),
      ...(site?.passwordResetUrl ? [tokenRoute(site.passwordResetUrl)] : []),
      ...(options.secretRoutes ?? []),
    ];
  };
  const redactPath = (path: string): string => redactSecretSegments(path, secretRoutes());

  const socketUrl = options.url ?? defaultSocketUrl(location().href);
  const socket = createStateSocket({
    // A socket waits while the tab follows a rotated session until the browser has its cookie.
    url: async () => {
      await sessionSync.ready();
      return socketUrl;
    },
    WebSocket: options.WebSocket,
    retryDelayMs: options.retryDelayMs ?? backoffWithJitter(),
    keepAlive: options.keepAlive,
    closeTimeoutMs: options.closeTimeoutMs,
    connectionParams: () => {
      const route = currentRoute ?? routeOf(location().href);
      const path = redactPath(route.path);
      const { query } = route;
      mirroredRoute = routeKey(path, query);
      const params = { tabId, path, query, languages: browserLanguages() } satisfies ConnectionParams;
      return { ...params };
    },
    onStatus: (next) => {
      socketOpen = next === 'open';
      setStatus(next);
    },
    onError: report,
  });
  // Closing the socket makes the client open a new one (calls meanwhile wait for it).
  reconnect = () => socket.reconnect();

  const calls = createStateCalls(socket, {
    applyDelta: (delta, list) => {
      // Before the delta: a page that is being left is not redirected by its guards first.
      actions.expect(list);
      sliceActions.applyDelta(delta);
    },
    runActions: actions.run,
  });
  const trpc = createTrpcProxy<TRouter>(calls);
  let pushed = false;

  const pushes = calls.subscribe(STATE_SUBSCRIPTION_PATH, undefined, {
    onData(push: unknown) {
      if (!isStatePush(push)) return report(push, 'ignored a malformed state push');
      actions.expect(push.actions);
      batch(() => (push.full ? sliceActions.replaceAll(push.delta) : sliceActions.applyDelta(push.delta)));
      if (!pushed) {
        pushed = true;
        // The page's first state is in the store: the moment a load is ready to show the user's own state.
        globalThis.performance?.mark?.(FIRST_PUSH_MARK);
      }
      void actions.run(push.actions);
    },
    onError(error: unknown) {
      report(error, 'the state subscription failed');
    },
  });

  async function reportRoute(path: string, search: string): Promise<void> {
    currentRoute = { path, query: search };
    const shown = redactPath(path);
    const key = routeKey(shown, search);
    // Until the socket is open, the next connection params carry the route.
    if (!socketOpen || key === mirroredRoute) return;
    mirroredRoute = key;
    try {
      await calls.request('mutation', ROUTE_MUTATION_PATH, { path: shown, query: search } satisfies RouteReport);
    } catch (error) {
      if (mirroredRoute === key) mirroredRoute = null;
      throw error;
    }
  }

  async function close(): Promise<void> {
    pushes.unsubscribe();
    await socket.close();
    sessionSync.close();
    setStatus('closed');
    toastActions.clear();
  }

  return {
    trpc,
    slices,
    sliceActions,
    toasts,
    toastActions,
    status,
    tabId,
    actions,
    setNavigate: actions.setNavigate,
    reportRoute,
    redactPath,
    close,
  };
}

/** The auth pages whose last segment is a one-time token, at their default URLs. */
const DEFAULT_SECRET_ROUTES: readonly string[] = ['/verify-email/:token', '/password-reset/:token'];

const tokenRoute = (prefix: string): string => `${prefix.replace(/\/$/, '')}/:token`;

/**
 * `path` with each segment that a `:name` segment of a matching pattern
 * covers replaced by `:name`; a path no pattern matches is returned as it is.
 *
 * @example
 * redactSecretSegments('/verify-email/abc123', ['/verify-email/:token']); // '/verify-email/:token'
 */
export function redactSecretSegments(path: string, patterns: readonly string[]): string {
  // A trailing slash matches as the router does: `/verify-email/abc/` is `/verify-email/abc`.
  const slash = path.length > 1 && path.endsWith('/') ? '/' : '';
  const segments = (slash ? path.slice(0, -1) : path).split('/');
  for (const pattern of patterns) {
    const parts = pattern.replace(/(.)\/$/, '$1').split('/');
    if (parts.length !== segments.length) continue;
    if (!parts.every((part, i) => part.startsWith(':') || part === segments[i])) continue;
    return parts.map((part, i) => (part.startsWith(':') ? part : segments[i])).join('/') + slash;
  }
  return path;
}

/** `ws://host/trpc` or `wss://host/trpc` for the page at `href`. */
export function defaultSocketUrl(href: string): string {
  const { protocol, host } = new URL(href);
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/trpc`;
}

/** The tab's id from sessionStorage, made and stored when missing. */
export function readTabId(storage: StorageLike | undefined): string {
  const existing = storage?.getItem(TAB_ID_STORAGE_KEY);
  if (existing) return existing;
  const id = crypto.randomUUID();
  storage?.setItem(TAB_ID_STORAGE_KEY, id);
  return id;
}

/** The browser's languages, best first and comma-separated, for the connection params; `undefined` without a navigator. */
function browserLanguages(): string | undefined {
  const list = globalThis.navigator?.languages;
  return list && list.length > 0 ? list.join(',') : undefined;
}

function routeOf(href: string): RouteReport {
  const { pathname, search } = new URL(href);
  return { path: pathname, query: search };
}

function routeKey(path: string, search: string): string {
  return `${path}${search && !search.startsWith('?') ? `?${search}` : search}`;
}

function isStatePush(value: unknown): value is StatePush {
  if (typeof value !== 'object' || value === null) return false;
  const { delta, actions } = value as Partial<StatePush>;
  return typeof delta === 'object' && delta !== null && Array.isArray(actions);
}
