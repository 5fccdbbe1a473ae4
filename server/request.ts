import { NO_SESSION, type SessionData } from './auth/session-store';
import { ANONYMOUS_USER, type AuthUser } from './auth/user';

/**
 * `ctx.request`: the synthetic request of one event, rebuilt from the
 * connection's mirrors. Shaped like a Django `HttpRequest` for familiarity,
 * with the Fetch `Request` at hand for code that wants one. HTTP routes get
 * the same shape from the identity plugin.
 *
 * `TContext` types `context` once it is loaded (see `withContext<T>()`).
 */
export interface EventRequest<TContext extends Record<string, unknown> = Record<string, unknown>> {
  /** Path of the page the event came from (the route mirror). */
  readonly path: string;
  /** Query of that page. */
  readonly query: URLSearchParams;
  /** Upgrade request headers, with `cookie` rebuilt from the cookie mirror. */
  readonly headers: Headers;
  /** The cookie mirror at the start of the event (read-only copy). */
  readonly cookies: Readonly<Record<string, string>>;
  /** `QUERY`, `MUTATION` or `SUBSCRIPTION` for socket events; the HTTP method for HTTP routes. */
  readonly method: string;
  /** The client's address (forwarded only through a trusted proxy). */
  readonly ip: string;
  /** The tRPC path of the event (`notes.add`), or the HTTP path. */
  readonly eventPath: string;
  /**
   * The event's language without a database read, computed on first access:
   * the language cookie, then the session's choice when this connection
   * already knows it, then `Accept-Language`, then the first configured
   * language. `await language()` always consults the session.
   */
  readonly languageCode: string;
  /** The event's language: cookie, then session key `language`, then `Accept-Language`, then the default. */
  language(): Promise<string>;
  /** Merged output of the context processors: empty until `loadContext()` ran. */
  readonly context: TContext;
  /**
   * Runs the context processors once per event (later calls share the
   * result), fills `context` and returns it.
   */
  loadContext<T extends Record<string, unknown> = TContext>(): Promise<T>;
  /** A Fetch `Request` equivalent, built when read (an event that never reads it builds none). */
  readonly fetchRequest: Request;
  /** The live user (`ctx.user`), as Django's `request.user`. */
  readonly user: AuthUser;
  /** The session's data (`ctx.session`), as Django's `request.session`. */
  readonly session: SessionData;
}

/** The context before `loadContext()` ran: shared, empty, frozen. */
export const EMPTY_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});

/** The request seen outside any event: anonymous, empty, never a throw. */
export const EMPTY_REQUEST: EventRequest = Object.freeze({
  path: '/',
  query: new URLSearchParams(),
  headers: new Headers(),
  cookies: Object.freeze({}),
  method: 'NONE',
  ip: '',
  eventPath: '',
  languageCode: 'en',
  language: () => Promise.resolve('en'),
  context: EMPTY_CONTEXT,
  loadContext: <T extends Record<string, unknown>>() => Promise.resolve(EMPTY_CONTEXT as T),
  get fetchRequest() {
    return new Request('http://localhost/');
  },
  user: ANONYMOUS_USER,
  session: NO_SESSION,
});
