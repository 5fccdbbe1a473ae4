import type { Page } from 'playwright-core';

/** One tRPC JSON-RPC reply as it crosses the socket. */
export interface SocketReply {
  id: number;
  result?: { type?: string; data?: { data?: unknown; delta?: unknown; actions?: unknown } };
  error?: { message: string; code: number; data?: { code?: string } };
}

/**
 * Sends one tRPC call by hand from inside the page: a raw WebSocket to
 * `/trpc` (the browser sends the page's cookies and Origin on the upgrade,
 * so it speaks as the signed-in user), the connection params, then the
 * call. Nothing of the app's own client is involved.
 *
 * @example
 * const reply = await socketCall(page, 'mutation', 'notes.delete', { id: 1 });
 * reply.error?.data?.code; // 'FORBIDDEN'
 */
export function socketCall(page: Page, type: 'query' | 'mutation', path: string, input: unknown): Promise<SocketReply> {
  return page.evaluate(
    async ({ type, path, input }) => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const ws = new WebSocket(`${scheme}://${location.host}/trpc?connectionParams=1`);
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error('the socket did not open'));
      });
      const reply = new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reply')), 10_000);
        ws.onmessage = (event) => {
          let message: { id?: unknown };
          try {
            message = JSON.parse(String(event.data)) as { id?: unknown };
          } catch {
            return; // PING/PONG
          }
          if (message.id === 1) {
            clearTimeout(timer);
            resolve(message);
          }
        };
      });
      ws.send(
        JSON.stringify({
          method: 'connectionParams',
          data: { tabId: crypto.randomUUID(), path: location.pathname, query: location.search },
        }),
      );
      ws.send(JSON.stringify({ id: 1, method: type, params: { path, input } }));
      try {
        return await reply;
      } finally {
        ws.close();
      }
    },
    { type, path, input },
  ) as Promise<SocketReply>;
}
