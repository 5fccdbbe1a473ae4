import { readCookieHeader } from '../auth/cookie-header';
import { refilledTokens, secondsUntilTokens } from '../auth/token-bucket';
import type { PasskeyChallenges } from '../auth/passkey-challenges';
import type { PendingSecondStep } from '../auth/two-factor-flow';
import { ANONYMOUS_SNAPSHOT, type AuthSnapshot, type ClientAction, type Delta, type StatePush } from '../state/protocol';
import { applySlicePatch } from '../state/slice-patch';
import { initialValues, type SliceDefinition } from '../state/slices';
import { CookieMirror, UpgradeHeaders } from './cookie-mirror';
import { PushChannel, type PushStream } from './push-channel';
import { applyRouteReport, type RouteMirror } from './route-mirror';
import { SliceTable } from './slice-table';
import type { CachedValidation, SessionCache } from './session-cache';
import type { SharedStrings } from './shared-strings';
import type { MessageMeter } from './socket-protocol';
import { TabLanguages } from './tab-languages';

export interface ConnectionInit {
  headers: Headers;
  ip: string;
  /** The session cookie is the `Secure`, `__Host-` one (`secureCookiesOf`: `auth.secureCookies`, else the scheme). */
  secure: boolean;
  origin: string;
  messageBurst: number;
  messagesPerSecond: number;
  /** The server's table of shared header strings (none: each connection keeps its own copies). */
  strings?: SharedStrings;
}

/** Fields to set in a slice, or a function of its current values that answers them. */
export type SlicePatch = Record<string, unknown> | ((values: Record<string, unknown>) => Record<string, unknown>);

let nextId = 1;

/**
 * One WebSocket, one browser tab, made of parts of one concern each: the
 * cookie mirror and the kept upgrade headers (`cookie-mirror.ts`), the route
 * mirror (`route-mirror.ts`), the message budget, the validated-session
 * cache (`session-cache.ts`), the tab's languages (`tab-languages.ts`), its
 * slices and the channel of pushes for its `state` subscription
 * (`push-channel.ts`). The session cache and the languages exist only once
 * used, so an idle tab carries no empty ones. Three parts are the
 * connection's own fields rather than objects of their own, since every tab
 * has them: the route mirror ({@link path}, {@link query}), the message
 * budget (a token bucket, see {@link take}) and the push channel (which the
 * connection extends). It lives from the upgrade to the close; each event's
 * context refers to it (`ctx.connection`).
 */
export class Connection extends PushChannel implements MessageMeter, RouteMirror {
  readonly id = nextId++;
  tabId = '';
  /** The browser's cookies as the server last knew them. */
  readonly cookies = new CookieMirror();
  /** The page the tab shows: its path (the route mirror, see `route-mirror.ts`). */
  path = '/';
  /** The page's query, with its leading `?`, or empty. */
  query = '';
  /** The upgrade request's headers, without the handshake's own (and without `cookie`: see `cookies`). */
  readonly headers: UpgradeHeaders;
  readonly ip: string;
  readonly secure: boolean;
  readonly origin: string;
  /**
   * The message budget: every call, PING and bad frame spends one (a token
   * bucket of `messageBurst` refilled at `messagesPerSecond`). Its state is
   * two numbers here rather than a `TokenBucket` of its own: one object
   * fewer per idle tab.
   */
  private tokens: number;
  private refilledAt: number;
  private readonly messageBurst: number;
  private readonly messagesPerSecond: number;
  /** Slice name → current field values. */
  readonly slices = new SliceTable();
  /** The auth snapshot the client holds. */
  authSnapshot: AuthSnapshot = ANONYMOUS_SNAPSHOT;
  /** Session and user this connection is bound to (for the identity bus). */
  sessionId: string | null = null;
  userId: number | null = null;
  /** The validated-session cache, while there is something in it (see `session-cache.ts`). */
  sessions: SessionCache | null = null;
  /** What is known of the tab's languages, once anything is. */
  languages: TabLanguages | null = null;
  /** The tab's pending WebAuthn challenges, once it asked for one (see `passkey-challenges.ts`). */
  passkeyChallenges: PasskeyChallenges | null = null;
  /** A second step (two-factor) held since this tab's password step: no session exists for it yet. */
  secondStep: PendingSecondStep | null = null;
  /** While the tab's stashed slices are on their way back: the patches applied meanwhile, in order. */
  private patchedWhileResuming: [name: string, patch: SlicePatch][] | null = null;

  constructor(init: ConnectionInit) {
    super();
    const strings = init.strings ?? null;
    this.headers = UpgradeHeaders.of(init.headers, strings);
    this.ip = strings ? strings.shared(init.ip) : init.ip;
    this.secure = init.secure;
    this.origin = strings ? strings.shared(init.origin) : init.origin;
    this.tokens = this.messageBurst = init.messageBurst;
    this.messagesPerSecond = init.messagesPerSecond;
    this.refilledAt = performance.now();
    // Cookie names are the same few on every tab: one copy each (the values are the tab's own).
    for (const [name, value] of readCookieHeader(init.headers.get('cookie')))
      this.cookies.set(strings ? strings.shared(name) : name, value);
  }

  /** Spends one message of the budget at `now` (`performance.now()` ms); `false` when it is empty. */
  take(now: number = performance.now()): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Seconds from `now` until one message is available again. */
  retryAfter(now: number = performance.now()): number {
    this.refill(now);
    return secondsUntilTokens(this.tokens, 1, this.messagesPerSecond);
  }

  private refill(now: number): void {
    if (now > this.refilledAt) {
      this.tokens = refilledTokens(this.tokens, this.messageBurst, this.messagesPerSecond, now - this.refilledAt);
      this.refilledAt = now;
    }
  }

  /** Follows a route report (connection params, `statehouse.route`); malformed reports are ignored. */
  followRoute(path: unknown, query: unknown): void {
    applyRouteReport(this, path, query);
  }

  /** The cached validation, if any (see `session-cache.ts`). */
  get validated(): CachedValidation | null {
    return this.sessions?.validated ?? null;
  }

  /**
   * Drops the validated session and any validation in flight (revocation,
   * identity change, cookie gone): the next event reads the database.
   */
  forgetValidation(): void {
    this.sessions = null;
  }

  /**
   * Forgets the session cookie, under both its names (`cookieName(secure)`),
   * and the validated session: the next event is anonymous.
   */
  dropSessionCookie(cookieName: (secure: boolean) => string): void {
    this.cookies.delete(cookieName(true));
    this.cookies.delete(cookieName(false));
    this.forgetValidation();
  }

  /**
   * Keeps the browser's languages (`navigator.languages`, comma-separated,
   * best first) from the connection params. Anything else is ignored.
   */
  setLanguages(languages: unknown): void {
    if (TabLanguages.acceptable(languages)) (this.languages ??= new TabLanguages()).browser = languages;
  }

  /**
   * The tab's language preferences as an `Accept-Language` value: the
   * browser's own list when the connection params carried it, else the
   * upgrade request's header. The page and the socket can disagree (a
   * browser's language emulation, a proxy rewriting the page's header), and
   * the list the page's scripts see is the one its user chose.
   */
  get acceptLanguage(): string | null {
    return this.languages?.browser ?? this.headers.get('accept-language');
  }

  /** The language of session `sessionId` as this connection last read it (see `TabLanguages.knownFor`). */
  knownSessionLanguage(sessionId: string | null): string | null | undefined {
    return this.languages?.knownFor(sessionId);
  }

  /** Remembers the language of session `sessionId` (`null` forgets). */
  rememberSessionLanguage(sessionId: string | null, code: string | null): void {
    // Nothing known yet and nothing to know (a session without a language reads as no session): no object.
    if ((sessionId === null || code === null) && this.languages === null) return;
    (this.languages ??= new TabLanguages()).remember(sessionId, code);
  }

  /**
   * Sets fields of slice `name` (made from the definition's initial values when the tab has none
   * yet); answers the fields that changed. `patch` may be a function of the
   * current values (a counter moved on). While the tab's stashed slices are
   * on their way back, the patch is also kept, to go on top of them: a
   * function patch is applied to the resumed values, so it moves them on too.
   */
  patchSlice(name: string, def: SliceDefinition, patch: SlicePatch): Record<string, unknown> | null {
    let values = this.slices.get(name);
    if (!values) this.slices.set(name, (values = initialValues(def)));
    this.patchedWhileResuming?.push([name, patch]);
    return applySlicePatch(values, typeof patch === 'function' ? patch(values) : patch);
  }

  /** The tab's stashed slices are being fetched (from Redis): patches from now on are kept for {@link endResume}. */
  beginResume(): void {
    this.patchedWhileResuming = [];
  }

  /**
   * The stashed slices are back (or not): each replaces the tab's own, then
   * the patches applied meanwhile go on top in their order, so a push that
   * arrived while they travelled is not undone by older values.
   */
  endResume(resumed: SliceTable | null): void {
    const patches = this.patchedWhileResuming;
    this.patchedWhileResuming = null;
    if (!resumed) return;
    for (const [name, values] of resumed) this.slices.set(name, values);
    for (const [name, patch] of patches ?? []) {
      const values = this.slices.get(name);
      if (values) applySlicePatch(values, typeof patch === 'function' ? patch(values) : patch);
    }
  }

  /** Queues a push for the `state` subscription (nothing to say: nothing queued). */
  push(delta: Delta, actions: ClientAction[], full = false): void {
    if (this.closed) return;
    if (!full && actions.length === 0 && isEmpty(delta)) return;
    this.enqueue(full ? { delta, actions, full } : { delta, actions });
  }

  /**
   * The pushes of this connection, after `first` when given, until it closes
   * or `signal` aborts. A newer stream takes over from an older one.
   */
  pushes(signal: AbortSignal | undefined, first: Promise<StatePush> | null = null): PushStream {
    return this.openStream(signal, first);
  }
}

function isEmpty(delta: Delta): boolean {
  for (const _ in delta) return false;
  return true;
}
