/**
 * The wire contract between the server's bridge and the client's state link.
 * Shared by both sides; it carries no server-only types.
 */

/** What the client runs after applying a delta, in order. */
export type ClientAction =
  | { type: 'navigate'; to: string; replace?: boolean }
  | { type: 'toast'; kind: ToastKind; message: string }
  /**
   * POST the single-use ticket to the cookie endpoint, clear this tab's
   * sessionStorage, then navigate. `session` is the tag of the session the
   * ticket is for: once the cookie is set, the tab tells the browser's other
   * tabs (a `BroadcastChannel` message), so those told to `followSession` it
   * reconnect.
   */
  | { type: 'syncCookieThenNavigate'; ticket: string; to: string | null; session?: string }
  /**
   * Ask the server to expire the cookies, clear storage (but the preserved
   * keys), then navigate. `session`: the tag of the session the tab was bound
   * to; the endpoint then ends and expires only that session's cookie, never
   * a newer one the browser got meanwhile.
   */
  | { type: 'clearAuthThenNavigate'; to: string; preserveStorageKeys: string[]; session?: string }
  /**
   * Another tab of this browser rotated this tab's session (login, sign-up,
   * password change, reset) into the session tagged `session`. Once the
   * browser holds that session's cookie (the other tab's message, or a
   * timeout), reconnect so the socket carries it; `reload` the page instead
   * when it signs in another user than the tab showed. The server never hands
   * the new session to this tab itself.
   */
  | { type: 'followSession'; session: string; reload: boolean }
  /**
   * A sensitive call needs a recent proof of the user (`recentAuth()`): open
   * the **Confirm it's you** dialog offering `methods`; once confirmed, the
   * refused call is sent again, once.
   */
  | { type: 'confirmIdentity'; methods: ReauthMethod[] }
  | { type: 'reload' };

/**
 * How a user can answer "Confirm it's you": their password, one of their
 * passkeys, or a code of their authenticator app (`totp`) when two-factor is on.
 */
export type ReauthMethod = 'password' | 'passkey' | 'totp';

/** The kinds of toast, mildest first. */
export const TOAST_KINDS = ['info', 'success', 'warning', 'error'] as const;
export type ToastKind = (typeof TOAST_KINDS)[number];

/**
 * The client actions app code sends outside an event's own `ctx.actions`: in
 * a push (`statehouse.push`, `toast`, `navigate`) and from the app-wide hooks
 * (`onAuthFailed`, `onPermissionDenied`). No cookie actions: those come only
 * with the identity changes that make them. A `navigate` goes to a path on
 * this site.
 */
export type AppAction = Extract<ClientAction, { type: 'navigate' | 'toast' | 'reload' }>;

/** Changed fields per slice: `{ dashboard: { tab: 'notes' } }`. */
export type Delta = Record<string, Record<string, unknown>>;

/** What every procedure answers on the socket; the typed client sees `data` only. */
export interface Envelope<T = unknown> {
  data: T;
  delta: Delta;
  actions: ClientAction[];
}

/** Carried in `error.data.statehouse` of a failed event. */
export interface ErrorEnvelope {
  delta: Delta;
  actions: ClientAction[];
  /** Seconds to wait before retrying (TOO_MANY_REQUESTS). */
  retryAfter?: number;
  /** Field errors of a validation failure. */
  fieldErrors?: { field: string; code: string; message: string }[];
  /** Why a guard refused: `REAUTH_REQUIRED` (`recentAuth()`), `EMAIL_UNVERIFIED` (`verifiedEmailRequired()`), `TWO_FACTOR_REQUIRED` (`twoFactorRequired()`), `SECOND_STEP_EXPIRED` (sign in again). */
  reason?: 'REAUTH_REQUIRED' | 'EMAIL_UNVERIFIED' | 'TWO_FACTOR_REQUIRED' | 'SECOND_STEP_EXPIRED';
}

/** One push on the per-connection `statehouse.state` subscription. */
export interface StatePush {
  delta: Delta;
  actions: ClientAction[];
  /** `true` when `delta` holds every field of every slice (first push, or after a reset). */
  full?: boolean;
}

/** Sent once as tRPC connection params when the socket opens. */
export interface ConnectionParams {
  /** Per-tab id kept in sessionStorage, to resume slices after a reconnect. */
  tabId: string;
  /** The page the tab shows. */
  path: string;
  query: string;
  /**
   * The browser's languages, best first, comma-separated
   * (`navigator.languages`). Language negotiation prefers it to the upgrade
   * request's `Accept-Language`, which need not match the page's.
   */
  languages?: string;
}

/** The route mirror update, sent whenever the tab's route changes. */
export interface RouteReport {
  path: string;
  query: string;
}

/** Paths of the built-in procedures. */
export const STATE_SUBSCRIPTION_PATH = 'statehouse.state';
export const ROUTE_MUTATION_PATH = 'statehouse.route';

/** HTTP endpoints of the cookie exchange. */
export const SESSION_COOKIE_ENDPOINT = '/auth/session';
export const LOGOUT_COOKIE_ENDPOINT = '/auth/logout';

/** Sign-in over HTTP (providers, emailed links): where a flow starts, `<prefix>/<provider>`. */
export const OAUTH_ENDPOINT_PREFIX = '/auth/oauth';
/** An emailed sign-in link: `GET <endpoint>/<token>` shows a button that POSTs to `<endpoint>`. */
export const SIGN_IN_LINK_ENDPOINT = '/auth/link';
/** The **Two-factor authentication** page: where a sign-in with a second step pending goes (`?next=` kept). */
export const TWO_FACTOR_PATH = '/two-factor';
/**
 * A cookie a sign-in over HTTP sets beside the session cookie: the new
 * session's tag (not secret, readable by the page), so the page it lands on
 * announces the session to the browser's other tabs as a cookie exchange does.
 */
export const SIGNED_IN_COOKIE = 'statehouse_signed_in';

/**
 * Where an app registers its user model (`defineUserModel`), so that its own
 * user fields are typed everywhere: `ctx.user`, `currentUser()`, the HTTP
 * identity's `user`, registration's `fields` and the `auth` snapshot the
 * client reads (`useAuth()`). Without a registration only Statehouse's own
 * fields exist.
 *
 * @example
 * export const userModel = defineUserModel({ table: users, snapshot: ['displayName'] });
 * declare module 'statehouse/server' {
 *   interface Register { userModel: typeof userModel }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps add `userModel` by declaration merging.
export interface Register {}

type Nothing = Record<never, never>;

type RegisteredTypes = Register extends { userModel: { readonly $types: infer T } } ? T : Nothing;

/** The app's own columns of `users`, as the live user carries them. */
export type UserFields = RegisteredTypes extends { fields: infer F } ? F : Nothing;

/** The app's fields the client's `auth` snapshot carries (absent or `null` while signed out). */
export type SnapshotFields = RegisteredTypes extends { snapshot: infer S } ? { readonly [K in keyof S]?: S[K] | null } : Nothing;

/** The app's extra sign-up fields, as `auth.register` takes them in `fields`. */
export type RegistrationFields = RegisteredTypes extends { registration: infer R } ? R : Nothing;

/** Statehouse's own fields of the `auth` snapshot: the live user, synced for UI binding only. */
export interface BaseAuthSnapshot {
  userId: number | null;
  username: string;
  email: string;
  /** Whether the user's address is verified (false for a pending one). */
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  isAuthenticated: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  groupNames: string[];
}

/**
 * The `auth` slice: Statehouse's fields plus the app's chosen user fields
 * (`defineUserModel({ snapshot })`, typed through `Register`).
 */
export type AuthSnapshot = BaseAuthSnapshot & SnapshotFields;

export const ANONYMOUS_SNAPSHOT: AuthSnapshot = Object.freeze({
  userId: null,
  username: '',
  email: '',
  emailVerified: false,
  firstName: '',
  lastName: '',
  isAuthenticated: false,
  isStaff: false,
  isSuperuser: false,
  groupNames: [],
}) as BaseAuthSnapshot as AuthSnapshot;

/** The slice name of the auth snapshot. */
export const AUTH_SLICE = 'auth';

/** The public part of the config, pushed to every tab in the built-in `site` slice. */
export interface SiteSnapshot {
  siteName: string;
  loginUrl: string;
  signupUrl: string;
  passwordResetUrl: string;
  loginRedirectUrl: string;
  signupEnabled: boolean;
  passwordResetEnabled: boolean;
  /** `auth.emailVerification`: whether the pages offer verification, and whether it is required. */
  emailVerification: 'off' | 'optional' | 'required';
  verifyEmailUrl: string;
  loginFields: ('username' | 'email')[];
  /** Configured sign-in providers: the login page's **Continue with <Provider name>** buttons. */
  oauthProviders: { id: string; label: string }[];
  /** `auth.magicLink`: the login page offers **Email me a sign-in link**. */
  magicLinkEnabled: boolean;
  /** Overrides of page texts (`auth.messages`). */
  messages: Record<string, string>;
  languages: string[];
}

/** The slice name of the site snapshot. */
export const SITE_SLICE = 'site';
