import { readCookieHeader } from '../auth/cookie-header';
import type { SessionValidationResult } from '../auth/session';
import { ANONYMOUS_SNAPSHOT, type AuthSnapshot, type ClientAction, type Delta, type StatePush } from '../state/protocol';
import { TokenBucket } from '../auth/token-bucket';
import { MAX_ACCEPT_LANGUAGE_LENGTH } from '../i18n/negotiate';
import { ENDS_ON_ABORT, type EndsOnAbort } from './ends-on-abort';

/** The page a tab shows: path and query (with its leading `?`, or empty). */
export interface RouteMirror {
  path: string;
  query: string;
}

export interface ConnectionInit {
  headers: Headers;
  ip: string;
  /** The session cookie is the `Secure`, `__Host-` one (`secureCookiesOf`: `auth.secureCookies`, else the scheme). */
  secure: boolean;
  origin: string;
  messageBurst: number;
  messagesPerSecond: number;
}

/** A validated session kept for a short while, so most events touch no table. */
export interface CachedValidation {
  token: string;
  result: SessionValidationResult;
  until: number;
}

/** A session validation under way on a connection. */
export interface PendingValidation {
  token: string;
  epoch: number;
  promise: Promise<SessionValidationResult>;
}

let nextId = 1;

/** Upgrade headers with no use after the handshake (`cookie` lives on in the cookie mirror). */
const HANDSHAKE_ONLY = new Set(['cookie', 'upgrade', 'connection', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol']);

/** Distinct strings {@link shared} keeps at most, and the longest it keeps. */
const SHARED_MAX = 512;
const SHARED_MAX_LENGTH = 256;
const sharedStrings = new Map<string, string>();

/**
 * One copy of a short string many connections hold (header names, the
 * host, the origin, a browser's user agent): 10,000 tabs of a few browsers
 * keep a few strings, not 10,000 copies. Bounded: once full, strings are
 * kept as they come.
 */
export function shared(value: string): string {
  if (value.length > SHARED_MAX_LENGTH) return value;
  const known = sharedStrings.get(value);
  if (known !== undefined) return known;
  if (sharedStrings.size < SHARED_MAX) sharedStrings.set(value, value);
  return value;
}

/**
 * Names and values in one flat list, found by a scan: a connection keeps a
 * few of them, and a Map or a native `Headers` each would cost an idle tab
 * more than the strings themselves.
 */
abstract class FlatPairs {
  protected readonly pairs: string[] = [];

  /** Where `name` sits in {@link pairs} (its value is next), or -1. */
  protected indexOf(name: string): number {
    for (let i = 0; i < this.pairs.length; i += 2) if (this.pairs[i] === name) return i;
    return -1;
  }
}

/**
 * The upgrade request's headers a connection keeps, with lower-case names:
 * an idle tab holds a few short strings, not a native `Headers` of the whole
 * handshake (about 2 KB per connection).
 */
export class UpgradeHeaders extends FlatPairs {
  constructor(headers: Headers) {
    super();
    for (const [name, value] of headers) if (!HANDSHAKE_ONLY.has(name)) this.pairs.push(shared(name), shared(value));
  }

  /** A header's value (names are case-insensitive), or `null`. */
  get(name: string): string | null {
    const at = this.indexOf(name.toLowerCase());
    return at < 0 ? null : this.pairs[at + 1]!;
  }

  /** A fresh `Headers` with these headers and, when given, a `cookie` header. */
  toHeaders(cookie: string): Headers {
    const headers = new Headers();
    for (let i = 0; i < this.pairs.length; i += 2) headers.append(this.pairs[i]!, this.pairs[i + 1]!);
    if (cookie) headers.set('cookie', cookie);
    return headers;
  }
}

/** The cookie mirror: the `Map` methods the bridge uses, over a flat list (a tab has a cookie or two). */
export class CookieMirror extends FlatPairs implements Iterable<[string, string]> {
  get size(): number {
    return this.pairs.length / 2;
  }

  get(name: string): string | undefined {
    const at = this.indexOf(name);
    return at < 0 ? undefined : this.pairs[at + 1];
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  set(name: string, value: string): this {
    const at = this.indexOf(name);
    if (at < 0) this.pairs.push(name, value);
    else this.pairs[at + 1] = value;
    return this;
  }

  delete(name: string): boolean {
    const at = this.indexOf(name);
    if (at < 0) return false;
    this.pairs.splice(at, 2);
    return true;
  }

  clear(): void {
    this.pairs.length = 0;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let i = 0; i < this.pairs.length; i += 2) yield [this.pairs[i]!, this.pairs[i + 1]!];
  }
}

/** Longest path/query the route mirror accepts. */
const MAX_ROUTE_LENGTH = 2048;

/**
 * One WebSocket, one browser tab: the cookie mirror, the route mirror, the
 * upgrade headers, the tab's slices and the queue of pushes for its `state`
 * subscription. Mutable on purpose: tRPC copies `ctx` on every `next()`, so
 * this object is the holder that survives from event to event.
 */
export class Connection {
  readonly id = nextId++;
  tabId = '';
  /** The browser's cookies as the server last knew them. */
  readonly cookies = new CookieMirror();
  route: RouteMirror = { path: '/', query: '' };
  /** The upgrade request's headers, without the handshake's own (and without `cookie`: see `cookies`). */
  readonly headers: UpgradeHeaders;
  readonly ip: string;
  readonly secure: boolean;
  readonly origin: string;
  /** Slice name → current field values. */
  readonly slices = new Map<string, Record<string, unknown>>();
  /** The auth snapshot the client holds. */
  authSnapshot: AuthSnapshot = ANONYMOUS_SNAPSHOT;
  /** Session and user this connection is bound to (for the identity bus). */
  sessionId: string | null = null;
  userId: number | null = null;
  validated: CachedValidation | null = null;
  /** The validation in flight: events arriving meanwhile share it instead of each querying. */
  validating: PendingValidation | null = null;
  /** Bumped by {@link forgetValidation}: a validation begun before it is neither shared nor kept. */
  validationEpoch = 0;
  /** The session whose language this connection last read, and that language (lets `languageCode` skip the query). */
  private languageSessionId: string | null = null;
  private languageOfSession: string | null = null;
  /** The browser's own languages from the connection params, when it sent them (see {@link acceptLanguage}). */
  private browserLanguages: string | null = null;
  closed = false;
  readonly bucket: TokenBucket;

  /** Pushes not yet taken by the stream; `null` while empty (an idle tab keeps no array). */
  private queue: StatePush[] | null = null;
  /** The `state` subscription's stream, woken by every push. */
  private stream: PushStream | null = null;

  /**
   * Drops the validated session and any validation in flight (revocation,
   * identity change, cookie gone): the next event reads the database.
   */
  forgetValidation(): void {
    this.validated = null;
    this.validating = null;
    this.validationEpoch++;
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

  constructor(init: ConnectionInit) {
    this.headers = new UpgradeHeaders(init.headers);
    this.ip = shared(init.ip);
    this.secure = init.secure;
    this.origin = shared(init.origin);
    this.bucket = new TokenBucket(init.messageBurst, init.messagesPerSecond);
    for (const [name, value] of readCookieHeader(init.headers.get('cookie'))) this.cookies.set(name, value);
  }

  /** Updates the route mirror; malformed reports are ignored. */
  setRoute(path: unknown, query: unknown): void {
    if (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_ROUTE_LENGTH) return;
    const q = typeof query === 'string' && query.length <= MAX_ROUTE_LENGTH ? query : '';
    this.route = { path, query: q && !q.startsWith('?') ? `?${q}` : q };
  }

  /**
   * The language stored in session `sessionId` as this connection last read
   * it: a code, `null` for none, or `undefined` when it has not read it.
   */
  knownSessionLanguage(sessionId: string | null): string | null | undefined {
    return sessionId !== null && sessionId === this.languageSessionId ? this.languageOfSession : undefined;
  }

  /** Remembers the language of session `sessionId` (`null` forgets). */
  rememberSessionLanguage(sessionId: string | null, code: string | null): void {
    this.languageSessionId = sessionId;
    this.languageOfSession = sessionId === null ? null : code;
  }

  /**
   * Keeps the browser's languages (`navigator.languages`, comma-separated,
   * best first) from the connection params. Anything else is ignored.
   */
  setLanguages(languages: unknown): void {
    if (typeof languages === 'string' && languages.length > 0 && languages.length <= MAX_ACCEPT_LANGUAGE_LENGTH) {
      this.browserLanguages = languages;
    }
  }

  /**
   * The tab's language preferences as an `Accept-Language` value: the
   * browser's own list when the connection params carried it, else the
   * upgrade request's header. The page and the socket can disagree (a
   * browser's language emulation, a proxy rewriting the page's header), and
   * the list the page's scripts see is the one its user chose.
   */
  get acceptLanguage(): string | null {
    return this.browserLanguages ?? this.headers.get('accept-language');
  }

  /** The `Cookie` header rebuilt from the mirror. */
  cookieHeader(): string {
    let out = '';
    for (const [name, value] of this.cookies) out += `${out ? '; ' : ''}${name}=${encodeURIComponent(value)}`;
    return out;
  }

  /** Queues a push for the `state` subscription. */
  push(delta: Delta, actions: ClientAction[], full = false): void {
    if (this.closed) return;
    if (Object.keys(delta).length === 0 && actions.length === 0 && !full) return;
    (this.queue ??= []).push(full ? { delta, actions, full } : { delta, actions });
    this.stream?.wake();
  }

  /**
   * The pushes of this connection, after `first` when given, until it closes
   * or `signal` aborts. A newer stream takes over from an older one.
   */
  pushes(signal: AbortSignal | undefined, first: Promise<StatePush> | null = null): PushStream {
    this.stream?.end();
    return (this.stream = new PushStream(this, signal, first));
  }

  /** The next queued push, if any. */
  takePush(): StatePush | undefined {
    const queue = this.queue;
    if (!queue) return undefined;
    const next = queue.shift();
    if (queue.length === 0) this.queue = null;
    return next;
  }

  /** `stream` has ended: it no longer takes the pushes. */
  detach(stream: PushStream): void {
    if (this.stream === stream) this.stream = null;
  }

  /** Marks the connection closed and wakes its subscription so it ends. */
  close(): void {
    this.closed = true;
    this.queue = null;
    this.stream?.end();
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * A connection's pushes as an async iterator: the `state` subscription's
 * stream. A plain object rather than an async generator, so an idle tab
 * holds one pending promise and nothing else; it ends as soon as its signal
 * aborts or the connection closes (see `ENDS_ON_ABORT`).
 */
export class PushStream implements AsyncIterableIterator<StatePush>, EndsOnAbort {
  readonly [ENDS_ON_ABORT] = true as const;
  private waiting: ((result: IteratorResult<StatePush>) => void) | null = null;
  private ended = false;

  constructor(
    private readonly conn: Connection,
    private readonly signal: AbortSignal | undefined,
    private first: Promise<StatePush> | null,
  ) {
    // The stream itself is the listener (`handleEvent`): no closure per tab.
    signal?.addEventListener('abort', this, { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StatePush>> {
    const first = this.first;
    if (first) {
      this.first = null;
      return first.then((value) => ({ value, done: false }));
    }
    if (this.over()) return this.finish();
    const queued = this.conn.takePush();
    if (queued) return Promise.resolve({ value: queued, done: false });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<StatePush>> {
    this.end();
    return Promise.resolve(DONE);
  }

  /** A push was queued (or the connection closed): answers the pending `next()`. */
  wake(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.over()) {
      this.end();
      return;
    }
    const queued = this.conn.takePush();
    if (!queued) return;
    this.waiting = null;
    waiting({ value: queued, done: false });
  }

  /** Ends the stream: a pending `next()` answers done. */
  end(): void {
    const waiting = this.waiting;
    this.waiting = null;
    this.finish();
    waiting?.(DONE);
  }

  handleEvent(): void {
    this.end();
  }

  private over(): boolean {
    return this.ended || this.conn.closed || this.signal?.aborted === true;
  }

  private finish(): Promise<IteratorReturnResult<undefined>> {
    this.ended = true;
    this.first = null;
    this.signal?.removeEventListener('abort', this);
    this.conn.detach(this);
    return Promise.resolve(DONE);
  }
}
