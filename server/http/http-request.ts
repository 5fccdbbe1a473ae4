import type { Database } from '../../db/client';
import { readSessionData, type SessionValue } from '../auth/session-data';
import type { AuthUser } from '../auth/user';
import { EMPTY_CONTEXT, type EventRequest } from '../bridge/request';
import { runContextProcessors } from '../context/processors';
import { LANGUAGE_COOKIE, LANGUAGE_SESSION_KEY, matchLanguage, negotiateLanguage } from '../i18n/negotiate';
import type { Runtime } from '../runtime';

/**
 * `session` in HTTP routes: the same session as the socket's, read-only
 * (writes belong to socket events, where other tabs hear of them). Its keys
 * are read once, on first use.
 *
 * @example
 * const theme = await session.get<string>('theme', 'light');
 */
export class ReadOnlySession {
  private data: Promise<Map<string, SessionValue>> | null = null;

  constructor(
    private readonly db: Database,
    /** The session id, or `null` for a visitor without a session. */
    readonly id: string | null,
  ) {}

  async get<T extends SessionValue = SessionValue>(key: string): Promise<T | undefined>;
  async get<T extends SessionValue = SessionValue>(key: string, fallback: T): Promise<T>;
  async get<T extends SessionValue = SessionValue>(key: string, fallback?: T): Promise<T | undefined> {
    const data = await this.load();
    return data.has(key) ? (structuredClone(data.get(key)) as T) : fallback;
  }

  async has(key: string): Promise<boolean> {
    return (await this.load()).has(key);
  }

  async keys(): Promise<string[]> {
    return [...(await this.load()).keys()];
  }

  private load(): Promise<Map<string, SessionValue>> {
    return (this.data ??= this.id ? readSessionData(this.db, this.id) : Promise.resolve(new Map()));
  }
}

/**
 * `request` in HTTP routes: the {@link EventRequest} shape of the socket
 * events, built from the Fetch `Request` (kept as `fetchRequest`). Query,
 * cookies, language and context are computed on first access.
 */
export class HttpEventRequest implements EventRequest {
  readonly path: string;
  readonly method: string;
  readonly eventPath: string;
  private readonly search: string;
  private parsedQuery: URLSearchParams | null = null;
  private cookieCopy: Readonly<Record<string, string>> | null = null;
  private quickLanguage: string | null = null;
  private fullLanguage: Promise<string> | null = null;
  private loaded: Record<string, unknown> | null = null;
  private loading: Promise<Record<string, unknown>> | null = null;

  constructor(
    private readonly runtime: Runtime,
    readonly fetchRequest: Request,
    readonly ip: string,
    private readonly user: AuthUser,
    private readonly session: ReadOnlySession,
  ) {
    const url = new URL(fetchRequest.url);
    this.path = url.pathname;
    this.search = url.search;
    this.method = fetchRequest.method;
    this.eventPath = url.pathname;
  }

  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.search));
  }

  get headers(): Headers {
    return this.fetchRequest.headers;
  }

  get cookies(): Readonly<Record<string, string>> {
    if (!this.cookieCopy) {
      const header = this.fetchRequest.headers.get('cookie');
      this.cookieCopy = Object.freeze(header ? Object.fromEntries(new Bun.CookieMap(header)) : {});
    }
    return this.cookieCopy;
  }

  /** Cookie, then `Accept-Language`, then the default (no session read). */
  get languageCode(): string {
    return (this.quickLanguage ??= negotiateLanguage(this.runtime.config.languages, {
      cookie: this.cookies[LANGUAGE_COOKIE],
      acceptLanguage: this.fetchRequest.headers.get('accept-language'),
    }));
  }

  /** Cookie, then the session's `language`, then `Accept-Language`, then the default. */
  language(): Promise<string> {
    return (this.fullLanguage ??= this.negotiateWithSession());
  }

  private async negotiateWithSession(): Promise<string> {
    const { languages } = this.runtime.config;
    const cookie = matchLanguage(this.cookies[LANGUAGE_COOKIE], languages);
    if (cookie) return cookie;
    return negotiateLanguage(languages, {
      session: await this.session.get(LANGUAGE_SESSION_KEY),
      acceptLanguage: this.fetchRequest.headers.get('accept-language'),
    });
  }

  get context(): Record<string, unknown> {
    return this.loaded ?? EMPTY_CONTEXT;
  }

  /** Runs the context processors once per request; a failing one throws `ContextProcessorError` (a 500). */
  loadContext<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<T> {
    this.loading ??= (async () => {
      const { config, log } = this.runtime;
      return (this.loaded = await runContextProcessors(config.contextProcessors, this, this.user, config, log));
    })();
    return this.loading as Promise<T>;
  }
}
