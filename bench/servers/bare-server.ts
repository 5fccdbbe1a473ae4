import { initTRPC } from '@trpc/server';
import type { ServerWebSocket } from 'bun';
import { Elysia } from 'elysia';
import { loadConfig } from '../../server/config';
import { socketServerOptions } from '../../server/bridge/transport';
import { expectsConnectionParams, SocketProtocol, type ContextSource, type SocketConnection } from '../../server/bridge/socket-protocol';
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

/** A bare socket's `data`: Elysia's dispatcher calls its methods; the context is empty. */
class BareSocket implements ContextSource<object> {
  private connection: SocketConnection<object> | null = null;

  constructor(
    private readonly protocol: SocketProtocol<object>,
    private readonly expectParams: boolean,
  ) {}

  open(ws: ServerWebSocket<BareSocket>): void {
    this.connection = this.protocol.connect(ws, this.expectParams, this);
  }

  message(_ws: ServerWebSocket<BareSocket>, message: string | Buffer): void {
    this.connection?.message(message);
  }

  close(): void {
    this.connection?.close();
    this.connection = null;
  }

  createContext(): object {
    return {};
  }
}

/**
 * The bare baseline: the router above over the same socket adapter as
 * Statehouse (Elysia's upgrade route, `SocketProtocol` on Bun's socket), with
 * the same socket settings and an empty context. `app` lets `in-process.ts`
 * drive its route without a network.
 */
export function startBareServer(): BenchServer & { app: Elysia<any, any, any, any, any, any, any> } {
  const config = loadConfig({ env: 'production', logLevel: 'silent', mail: { backend: 'file' } }, {});
  const protocol = new SocketProtocol<object>({ router: bareRouter, maxBatchSize: 20 });
  const app = new Elysia({
    name: 'bench-bare',
    websocket: socketServerOptions(config),
  }).get('/trpc', ({ request, server, status }) => {
    if (!server) return status(500, 'No server');
    if (server.upgrade(request, { data: new BareSocket(protocol, expectsConnectionParams(request)) })) return;
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
