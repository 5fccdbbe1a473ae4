/** Longest path/query the route mirror accepts. */
const MAX_ROUTE_LENGTH = 2048;

/**
 * The page a tab shows: path and query (with its leading `?`, or empty), as
 * the client reports it (connection params, then `statehouse.route`).
 * `ctx.request.path` and `ctx.request.query` are read from it when an event
 * begins. The connection is its own route mirror (two fields of it rather
 * than an object of their own per tab).
 */
export interface RouteMirror {
  path: string;
  query: string;
}

/** Follows a route report; malformed reports are ignored. */
export function applyRouteReport(mirror: RouteMirror, path: unknown, query: unknown): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path.length > MAX_ROUTE_LENGTH) return;
  const q = typeof query === 'string' && query.length <= MAX_ROUTE_LENGTH ? query : '';
  mirror.path = path;
  mirror.query = q && !q.startsWith('?') ? `?${q}` : q;
}
