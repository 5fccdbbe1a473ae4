import type { Connection } from './connection';
import type { EventRequest } from './request';

/**
 * The per-event synthetic request. Built from the connection's mirrors at the
 * start of the event; every costly part (query parsing, headers, the Fetch
 * `Request`) is computed on first access only.
 */
export class SocketEventRequest implements EventRequest {
  readonly path: string;
  readonly method: string;
  readonly ip: string;
  readonly eventPath: string;
  context: Record<string, unknown> = {};
  languageCode: string;
  private readonly rawQuery: string;
  private parsedQuery: URLSearchParams | null = null;
  private cookieCopy: Readonly<Record<string, string>> | null = null;
  private headerCopy: Headers | null = null;

  constructor(
    private readonly conn: Connection,
    eventPath: string,
    type: string,
    languageCode: string,
  ) {
    this.path = conn.route.path;
    this.rawQuery = conn.route.query;
    this.method = type.toUpperCase();
    this.ip = conn.ip;
    this.eventPath = eventPath;
    this.languageCode = languageCode;
  }

  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.rawQuery));
  }

  get cookies(): Readonly<Record<string, string>> {
    return (this.cookieCopy ??= Object.freeze(Object.fromEntries(this.conn.cookies)));
  }

  get headers(): Headers {
    if (!this.headerCopy) {
      const headers = new Headers(this.conn.headers);
      const cookie = this.conn.cookieHeader();
      if (cookie) headers.set('cookie', cookie);
      else headers.delete('cookie');
      this.headerCopy = headers;
    }
    return this.headerCopy;
  }

  get fetchRequest(): Request {
    return new Request(new URL(this.path + this.rawQuery, this.conn.origin), { method: 'GET', headers: this.headers });
  }
}
