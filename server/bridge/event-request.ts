import { TRPCError } from '@trpc/server';
import type { AuthUser } from '../auth/user';
import { runContextProcessors, ContextProcessorError } from '../context/processors';
import { LANGUAGE_COOKIE, LANGUAGE_SESSION_KEY, matchLanguage, negotiateLanguage } from '../i18n/negotiate';
import type { Runtime } from '../runtime';
import type { Connection } from './connection';
import { EMPTY_CONTEXT, type EventRequest } from '../request';
import type { SessionProxy } from './session-proxy';

/** What the request reads from its event, only when asked. */
export interface RequestOwner {
  readonly runtime: Runtime;
  readonly user: AuthUser;
  readonly session: SessionProxy;
}

const METHODS: Record<string, string> = { query: 'QUERY', mutation: 'MUTATION', subscription: 'SUBSCRIPTION' };

/**
 * The per-event synthetic request. Built from the connection's mirrors at the
 * start of the event; every costly part (query parsing, headers, the Fetch
 * `Request`, the language, the context processors) is computed on first
 * access only, so an event that reads none of them pays for none.
 */
export class SocketEventRequest implements EventRequest {
  readonly path: string;
  readonly method: string;
  readonly ip: string;
  readonly eventPath: string;
  private readonly rawQuery: string;
  private parsedQuery: URLSearchParams | null = null;
  private cookieCopy: Readonly<Record<string, string>> | null = null;
  private headerCopy: Headers | null = null;
  private quickLanguage: string | null = null;
  private fullLanguage: Promise<string> | null = null;
  private loaded: Record<string, unknown> | null = null;
  private loading: Promise<Record<string, unknown>> | null = null;

  constructor(
    private readonly owner: RequestOwner,
    private readonly conn: Connection,
    eventPath: string,
    type: string,
  ) {
    this.path = conn.route.path;
    this.rawQuery = conn.route.query;
    this.method = METHODS[type] ?? type.toUpperCase();
    this.ip = conn.ip;
    this.eventPath = eventPath;
  }

  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.rawQuery));
  }

  get cookies(): Readonly<Record<string, string>> {
    return (this.cookieCopy ??= Object.freeze(Object.fromEntries(this.conn.cookies)));
  }

  get headers(): Headers {
    return (this.headerCopy ??= this.conn.headers.toHeaders(this.conn.cookies.header()));
  }

  get fetchRequest(): Request {
    return new Request(new URL(this.path + this.rawQuery, this.conn.origin), { method: 'GET', headers: this.headers });
  }

  /**
   * Cookie, then the session's language when this connection already read
   * it (no query here), then `Accept-Language`, then the default.
   */
  get languageCode(): string {
    if (this.quickLanguage === null) {
      this.quickLanguage = negotiateLanguage(this.owner.runtime.config.languages, {
        cookie: this.conn.cookies.get(LANGUAGE_COOKIE),
        session: this.conn.knownSessionLanguage(this.owner.session.id) ?? null,
        acceptLanguage: this.conn.acceptLanguage,
      });
    }
    return this.quickLanguage;
  }

  language(): Promise<string> {
    return (this.fullLanguage ??= this.negotiateWithSession());
  }

  /** After `i18n.setLanguage`: the rest of this event (and the connection's cache) speaks `code`. */
  useLanguage(code: string): void {
    this.quickLanguage = code;
    this.fullLanguage = Promise.resolve(code);
    const sessionId = this.owner.session.id;
    this.conn.rememberSessionLanguage(sessionId, code);
  }

  get context(): Record<string, unknown> {
    return this.loaded ?? EMPTY_CONTEXT;
  }

  loadContext<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<T> {
    return (this.loading ??= this.runProcessors()) as Promise<T>;
  }

  private async negotiateWithSession(): Promise<string> {
    const { languages } = this.owner.runtime.config;
    const cookie = matchLanguage(this.conn.cookies.get(LANGUAGE_COOKIE), languages);
    if (cookie) return cookie;
    const sessionId = this.owner.session.id;
    const stored = sessionId ? await this.owner.session.get(LANGUAGE_SESSION_KEY) : undefined;
    const fromSession = matchLanguage(stored, languages);
    if (sessionId) this.conn.rememberSessionLanguage(sessionId, fromSession);
    return negotiateLanguage(languages, { session: fromSession, acceptLanguage: this.conn.acceptLanguage });
  }

  private async runProcessors(): Promise<Record<string, unknown>> {
    const { config, log } = this.owner.runtime;
    if (config.contextProcessors.length === 0) return (this.loaded = {});
    try {
      return (this.loaded = await runContextProcessors(config.contextProcessors, this, this.owner.user, config, log));
    } catch (cause) {
      if (!(cause instanceof ContextProcessorError)) throw cause;
      throw new TRPCError({
        code: 'INTERNAL_SERVER_ERROR',
        message: `Could not build the request context: context processor "${cause.processor}" failed.`,
        cause,
      });
    }
  }
}
