import type { ServerWebSocket } from 'bun';
import { connectionParamsFrame } from './rpc-frames';

/** What the upgrade route hands Bun as `data`, as far as a driver uses it. */
interface SocketHandlers {
  open(ws: ServerWebSocket<unknown>): void;
  message(ws: ServerWebSocket<unknown>, message: string): void;
  close(ws: ServerWebSocket<unknown>, code: number, reason: string): void;
}

/** The part of an Elysia app a driver needs: its server and its request handler. */
export interface DrivenApp {
  server: { upgrade(request: Request, options: { data: unknown }): boolean } | null;
  handle(request: Request): Promise<Response>;
}

/** One tab's socket, driven in process: frames in through the real handlers, replies out to `onReply`. */
export interface DrivenSocket {
  send(frame: string): void;
  onReply(handler: (frame: string) => void): void;
  close(): void;
}

/**
 * Opens tabs on a server's real `/trpc` upgrade route and socket handlers,
 * with a stand-in for Bun's `ServerWebSocket`: what runs is the server's own
 * JavaScript (route, guards, connection, socket protocol, bridge), without
 * the network or Bun's socket. The app's `server.upgrade` is replaced for
 * good, so tabs may open concurrently.
 *
 * @example
 * const open = drivenTabs(statehouse.app, port);
 * const tab = await open({ cookie, tabId: 'tab-1' });
 * tab.onReply((frame) => …);
 * tab.send(bumpFrame(1, 1));
 */
export function drivenTabs(app: DrivenApp, port: number) {
  const server = app.server;
  if (!server) throw new Error('the app is not listening');
  const upgraded = new Map<Request, SocketHandlers>();
  server.upgrade = (request, options) => {
    upgraded.set(request, options.data as SocketHandlers);
    return true;
  };
  const origin = `http://127.0.0.1:${port}`;
  return async function open(tab: { cookie?: string; tabId: string }): Promise<DrivenSocket> {
    const request = new Request(`${origin}/trpc?connectionParams=1`, {
      headers: {
        origin,
        host: `127.0.0.1:${port}`,
        ...(tab.cookie ? { cookie: tab.cookie } : {}),
        connection: 'Upgrade',
        upgrade: 'websocket',
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) statehouse-bench',
        'accept-language': 'en-US,en;q=0.9',
      },
    });
    const response = await app.handle(request);
    const handlers = upgraded.get(request);
    upgraded.delete(request);
    if (!handlers) throw new Error(`the route did not upgrade: ${response.status} ${await response.text()}`);
    let reply: (frame: string) => void = () => {};
    const ws = {
      readyState: 1,
      data: handlers,
      send: (frame: string) => reply(frame),
      close() {},
      terminate() {},
    } as unknown as ServerWebSocket<unknown>;
    handlers.open(ws);
    handlers.message(ws, connectionParamsFrame(tab.tabId));
    return {
      send: (frame) => handlers.message(ws, frame),
      onReply: (handler) => (reply = handler),
      close: () => handlers.close(ws, 1000, ''),
    };
  };
}
