/** Longest path/query the route mirror accepts. */
const MAX_ROUTE_LENGTH = 2048;

/**
 * The page a tab shows: path and query (with its leading `?`, or empty), as
 * the client reports it (connection params, then `statehouse.route`).
 * `ctx.request.path` and `ctx.request.query` are read from it when an event
 * begins.
 */
export class RouteMirror {
  path = '/';
  query = '';

  /** Follows a route report; malformed reports are ignored. */
  set(path: unknown, query: unknown): void {
    if (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_ROUTE_LENGTH) return;
    const q = typeof query === 'string' && query.length <= MAX_ROUTE_LENGTH ? query : '';
    this.path = path;
    this.query = q && !q.startsWith('?') ? `?${q}` : q;
  }
}
