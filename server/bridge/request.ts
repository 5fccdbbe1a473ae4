/**
 * `ctx.request`: the synthetic request of one event, rebuilt from the
 * connection's mirrors. Shaped like a Django `HttpRequest` for familiarity,
 * with the Fetch `Request` at hand for code that wants one.
 */
export interface EventRequest {
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
  /** Negotiated language of this event. */
  readonly languageCode: string;
  /** Merged output of the context processors (filled lazily, see `loadContext`). */
  readonly context: Record<string, unknown>;
  /** A Fetch `Request` equivalent, built on first access. */
  readonly fetchRequest: Request;
}

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
  context: Object.freeze({}),
  get fetchRequest() {
    return new Request('http://localhost/');
  },
});
