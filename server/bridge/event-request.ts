import { TRPCError } from '@trpc/server';
import type { SessionStore } from '../auth/session-store';
import type { SessionValue } from '../auth/session-data';
import type { AuthUser } from '../auth/user';
import { ContextProcessorError, runContextProcessors } from '../context/processors';
import { LANGUAGE_COOKIE, LANGUAGE_SESSION_KEY, matchLanguage, negotiateLanguage } from '../i18n/negotiate';
import { EMPTY_CONTEXT, type EventRequest } from '../request';
import type { Runtime } from '../runtime';
import type { Connection } from './connection';

/** What a request reads from its event, only when asked. */
export interface RequestOwner {
  readonly runtime: Runtime;
  readonly user: AuthUser;
  readonly session: SessionStore;
}

/**
 * What a request computes on first use, kept in one object made then: a
 * request is built for every socket event, and most events read none of it.
 */
export class RequestMemo {
  query: URLSearchParams | null = null;
  quickLanguage: string | null = null;
  fullLanguage: Promise<string> | null = null;
  context: Record<string, unknown> | null = null;
  loading: Promise<Record<string, unknown>> | null = null;
  /** The adapters' copies of the cookies and the headers. */
  cookies: Readonly<Record<string, string>> | null = null;
  headers: Headers | null = null;
}

/**
 * The one implementation of {@link EventRequest}, for socket events and HTTP
 * routes alike: the query, the language and the context processors'
 * output are computed on first access, so a handler that reads none of
 * them pays for none. A transport adapter says where the cookies and
 * headers come from (`SocketEventRequest` below, `HttpEventRequest` in
 * `server/http/http-request.ts`).
 */
export abstract class LazyEventRequest implements EventRequest {
  /** Made on the first lazy read (see {@link RequestMemo}). */
  private lazy: RequestMemo | null = null;

  constructor(
    protected readonly owner: RequestOwner,
    readonly path: string,
    /** The query with its leading `?`, or empty. */
    protected readonly rawQuery: string,
    readonly method: string,
    readonly ip: string,
    readonly eventPath: string,
  ) {}

  abstract readonly cookies: Readonly<Record<string, string>>;
  abstract readonly headers: Headers;
  abstract readonly fetchRequest: Request;
  /** One cookie's value (without copying them all). */
  protected abstract cookie(name: string): string | undefined;
  /** The client's `Accept-Language`. */
  protected abstract acceptLanguage(): string | null;
  /** The language of the current session when known without a query (`undefined`: not known). */
  protected knownSessionLanguage(): string | null | undefined {
    return undefined;
  }
  /** Keeps what `language()` read from the session, for the next request of this client. */
  protected rememberSessionLanguage(_sessionId: string, _code: string | null): void {}
  /** A context processor failed: what the caller gets. */
  protected processorFailure(cause: ContextProcessorError): Error {
    return cause;
  }

  get user(): AuthUser {
    return this.owner.user;
  }

  get session(): SessionStore {
    return this.owner.session;
  }

  /** What this request has computed so far. */
  protected get memo(): RequestMemo {
    return (this.lazy ??= new RequestMemo());
  }

  get query(): URLSearchParams {
    return (this.memo.query ??= new URLSearchParams(this.rawQuery));
  }

  /**
   * Cookie, then the session's language when already known (no query here),
   * then `Accept-Language`, then the default.
   */
  get languageCode(): string {
    return (this.memo.quickLanguage ??= negotiateLanguage(this.owner.runtime.config.languages, {
      cookie: this.cookie(LANGUAGE_COOKIE),
      session: this.knownSessionLanguage() ?? null,
      acceptLanguage: this.acceptLanguage(),
    }));
  }

  /** Cookie, then the session's `language`, then `Accept-Language`, then the default. */
  language(): Promise<string> {
    return (this.memo.fullLanguage ??= this.negotiateWithSession());
  }

  /** After `i18n.setLanguage`: the rest of this event (and what the client's connection remembers) speaks `code`. */
  useLanguage(code: string): void {
    this.memo.quickLanguage = code;
    this.memo.fullLanguage = Promise.resolve(code);
    const sessionId = this.owner.session.id;
    if (sessionId) this.rememberSessionLanguage(sessionId, code);
  }

  get context(): Record<string, unknown> {
    return this.lazy?.context ?? EMPTY_CONTEXT;
  }

  /** Runs the context processors once per request (later calls share the result). */
  loadContext<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<T> {
    return (this.memo.loading ??= this.runProcessors()) as Promise<T>;
  }

  private async negotiateWithSession(): Promise<string> {
    const { languages } = this.owner.runtime.config;
    const cookie = matchLanguage(this.cookie(LANGUAGE_COOKIE), languages);
    if (cookie) return cookie;
    const sessionId = this.owner.session.id;
    const stored = sessionId ? await this.storedLanguage(sessionId) : undefined;
    const fromSession = matchLanguage(stored, languages);
    if (sessionId) this.rememberSessionLanguage(sessionId, fromSession);
    return negotiateLanguage(languages, { session: fromSession, acceptLanguage: this.acceptLanguage() });
  }

  /** The language stored in session `sessionId` (the current one). */
  protected storedLanguage(_sessionId: string): Promise<SessionValue | undefined> {
    return this.owner.session.get(LANGUAGE_SESSION_KEY);
  }

  private async runProcessors(): Promise<Record<string, unknown>> {
    const { runtime } = this.owner;
    const { config } = runtime;
    if (config.contextProcessors.length === 0) return (this.memo.context = {});
    try {
      return (this.memo.context = await runContextProcessors(config.contextProcessors, this, this.owner.user, runtime));
    } catch (cause) {
      if (!(cause instanceof ContextProcessorError)) throw cause;
      throw this.processorFailure(cause);
    }
  }
}

const METHODS: Record<string, string> = { query: 'QUERY', mutation: 'MUTATION', subscription: 'SUBSCRIPTION' };

/**
 * `ctx.request` of a socket event: the synthetic request rebuilt from the
 * connection's mirrors at the start of the event (the route mirror's path
 * and query, the cookie mirror, the kept upgrade headers).
 */
export class SocketEventRequest extends LazyEventRequest {
  constructor(
    owner: RequestOwner,
    private readonly conn: Connection,
    eventPath: string,
    type: string,
  ) {
    super(owner, conn.path, conn.query, METHODS[type] ?? type.toUpperCase(), conn.ip, eventPath);
  }

  get cookies(): Readonly<Record<string, string>> {
    return (this.memo.cookies ??= Object.freeze(Object.fromEntries(this.conn.cookies)));
  }

  get headers(): Headers {
    return (this.memo.headers ??= this.conn.headers.toHeaders(this.conn.cookies.header()));
  }

  get fetchRequest(): Request {
    return new Request(new URL(this.path + this.rawQuery, this.conn.origin), { method: 'GET', headers: this.headers });
  }

  protected cookie(name: string): string | undefined {
    return this.conn.cookies.get(name);
  }

  protected acceptLanguage(): string | null {
    return this.conn.acceptLanguage;
  }

  protected override knownSessionLanguage(): string | null | undefined {
    return this.conn.knownSessionLanguage(this.owner.session.id);
  }

  protected override rememberSessionLanguage(sessionId: string, code: string | null): void {
    this.conn.rememberSessionLanguage(sessionId, code);
  }

  /** Read once for the tabs of a session that share its validation (a reconnect wave subscribes them together). */
  protected override storedLanguage(sessionId: string): Promise<SessionValue | undefined> {
    const token = this.conn.sessions?.validated?.token;
    if (!token) return super.storedLanguage(sessionId);
    return this.owner.runtime.registry.validations.language(token, sessionId, Date.now(), () => super.storedLanguage(sessionId));
  }

  protected override processorFailure(cause: ContextProcessorError): Error {
    return new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: `Could not build the request context: context processor "${cause.processor}" failed.`,
      cause,
    });
  }
}
