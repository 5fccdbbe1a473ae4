/**
 * tRPC v11 JSON-RPC frames written by hand, as a browser tab's link sends
 * them: the load clients build them, the ceiling server answers them.
 */

/** The procedure every load shape calls: writes one slice field in the Statehouse server. */
export const BUMP_PATH = 'bench.bump';
/** The per-tab push subscription. */
export const STATE_PATH = 'statehouse.state';
/** The procedure that ends every session of a user (logout fan-out). */
export const REVOKE_PATH = 'bench.revokeUser';
/** The built-in login mutation. */
export const LOGIN_PATH = 'auth.login';

/** The first frame when the URL says `?connectionParams=1`. */
export function connectionParamsFrame(tabId: string, path = '/', query = ''): string {
  return JSON.stringify({ method: 'connectionParams', data: { tabId, path, query } });
}

/** A query or mutation with a JSON input. */
export function callFrame(id: number, method: 'query' | 'mutation', path: string, input: unknown): string {
  return `{"id":${id},"jsonrpc":"2.0","method":"${method}","params":{"path":"${path}","input":${JSON.stringify(input)}}}`;
}

/** The `bench.bump` mutation (or one of its variants at `path`), built without `JSON.stringify` (the load loop's hot path). */
export function bumpFrame(id: number, n: number, path = BUMP_PATH): string {
  return `{"id":${id},"jsonrpc":"2.0","method":"mutation","params":{"path":"${path}","input":{"n":${n}}}}`;
}

/** Starts a subscription. */
export function subscriptionFrame(id: number, path: string): string {
  return `{"id":${id},"jsonrpc":"2.0","method":"subscription","params":{"path":"${path}"}}`;
}

/** What a reply frame is, read from its head without parsing the whole frame. */
export type ReplyKind = 'data' | 'started' | 'stopped' | 'error' | 'other';

const ID_PREFIX = '{"id":';

/**
 * The id of a reply frame (`{"id":12,"jsonrpc":...}`: tRPC and the ceiling
 * server both put `id` first), or `-1` when it has none.
 */
export function replyId(frame: string): number {
  if (!frame.startsWith(ID_PREFIX)) return -1;
  let id = 0;
  for (let i = ID_PREFIX.length; i < frame.length; i++) {
    const c = frame.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return i === ID_PREFIX.length ? -1 : id;
    id = id * 10 + c;
  }
  return -1;
}

/** Whether a reply is data, a subscription start/stop or an error. */
export function replyKind(frame: string): ReplyKind {
  const at = frame.indexOf('"result":{"type":"');
  if (at < 0) return frame.includes('"error":') ? 'error' : 'other';
  const type = frame.slice(at + 18, frame.indexOf('"', at + 18));
  return type === 'data' || type === 'started' || type === 'stopped' ? type : 'other';
}
