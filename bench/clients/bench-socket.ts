import { connectionParamsFrame } from '../lib/rpc-frames';

/** How a load connection reaches its server: the upgrade needs an allowed Origin; the cookie carries the session. */
export interface SocketTarget {
  port: number;
  /** A `Cookie` header value, or none. */
  cookie: string | null;
}

let tabSerial = 0;

/**
 * Opens a WebSocket the way a browser tab does: `/trpc?connectionParams=1`
 * with the page's Origin and the session cookie, then the connection params
 * as first frame. `onFrame` sees every text frame the server sends.
 *
 * @example
 * const ws = await openBenchSocket({ port, cookie }, (frame) => handle(frame));
 * ws.send(bumpFrame(1, 1));
 */
export function openBenchSocket(target: SocketTarget, onFrame: (frame: string) => void, timeoutMs = 30_000): Promise<WebSocket> {
  const origin = `http://127.0.0.1:${target.port}`;
  const headers: Record<string, string> = { origin };
  if (target.cookie) headers.cookie = target.cookie;
  // Bun's WebSocket takes request headers in an options object (not in the DOM typings).
  const ws = new WebSocket(`ws://127.0.0.1:${target.port}/trpc?connectionParams=1`, { headers } as unknown as string[]);
  ws.onmessage = (event: MessageEvent) => onFrame(event.data as string);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('socket open timed out')), timeoutMs);
    ws.onopen = () => {
      clearTimeout(timer);
      ws.send(connectionParamsFrame(`bench-${process.pid}-${++tabSerial}`));
      resolve(ws);
    };
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error('socket refused or failed'));
    };
  });
}

/** Runs `open` for `count` items with at most `concurrency` pending at once. */
export async function openInBatches<T>(count: number, concurrency: number, open: (index: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < count) {
      const index = next++;
      out[index] = await open(index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return out;
}

/** The cookie for connection `index`: the load takes the server's sessions in turn. */
export function cookieFor(cookies: readonly string[], index: number): string | null {
  return cookies.length === 0 ? null : cookies[index % cookies.length]!;
}
