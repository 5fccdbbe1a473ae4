import { initTRPC } from '@trpc/server';
import { getWSConnectionHandler } from '@trpc/server/adapters/ws';
import type { ServerWebSocket } from 'bun';
import { Elysia } from 'elysia';
import type { IncomingMessage } from 'node:http';
import { loadConfig } from '../../server/config';
import { socketServerOptions } from '../../server/bridge/transport';
import { BunSocketShim } from '../../server/bridge/ws-shim';
import type { StatePush } from '../../server/state/protocol';
import type { BenchServer } from './bench-server';
import { bumpInput } from './bump-input';

const t = initTRPC.create({ isDev: process.env.NODE_ENV !== 'production' });

/** The same procedures as the authed server's, as plain tRPC procedures: no bridge, no auth. */
export const bareRouter = t.router({
  bench: t.router({
    bump: t.procedure.input(bumpInput).mutation(function bump({ input }) {
      return input.n;
    }),
  }),
  statehouse: t.router({
    state: t.procedure.subscription(async function* state({ signal }): AsyncGenerator<StatePush> {
      yield { delta: {}, actions: [], full: true };
      await new Promise<void>((resolve) => {
        if (signal?.aborted) resolve();
        else signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }),
  }),
});

interface BareSocketData {
  shim: BunSocketShim | null;
  open(ws: ServerWebSocket<BareSocketData>): void;
  message(ws: ServerWebSocket<BareSocketData>, message: string | Buffer): void;
  close(ws: ServerWebSocket<BareSocketData>, code: number, reason: string): void;
}

/**
 * The bare baseline: the router above over the same socket adapter as
 * Statehouse (Elysia's upgrade route, `BunSocketShim`, tRPC's
 * `getWSConnectionHandler`), with the same socket settings. `app` lets
 * `in-process.ts` drive its route without a network.
 */
export function startBareServer(): BenchServer & { app: Elysia<any, any, any, any, any, any, any> } {
  const config = loadConfig({ env: 'production', logLevel: 'silent' }, {});
  // tRPC types the options as applyWSSHandler's (with a `wss`); the connection handler never reads it.
  const handle = getWSConnectionHandler({ router: bareRouter, maxBatchSize: 20 } as unknown as Parameters<typeof getWSConnectionHandler>[0]);
  const app = new Elysia({
    name: 'bench-bare',
    websocket: socketServerOptions(config),
  }).get('/trpc', ({ request, server, status }) => {
    if (!server) return status(500, 'No server');
    const url = new URL(request.url);
    const req = { url: url.pathname + url.search, headers: { host: url.host }, socket: {} } as unknown as IncomingMessage;
    const data: BareSocketData = {
      shim: null,
      open(ws) {
        const shim = new BunSocketShim(ws as ServerWebSocket<unknown>);
        data.shim = shim;
        handle(shim.asWs(), req);
      },
      message(_ws, message) {
        data.shim?.emitMessage(message);
      },
      close(_ws, code, reason) {
        data.shim?.emitClose(code, reason);
        data.shim = null;
      },
    };
    if (server.upgrade(request, { data })) return;
    return status(400, 'Expected a WebSocket upgrade');
  });
  app.listen({ port: 0, hostname: '127.0.0.1' });
  return {
    app,
    port: app.server!.port!,
    cookies: [],
    async stop() {
      await app.stop(true);
    },
  };
}
