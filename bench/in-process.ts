/**
 * `bun bench/in-process.ts [events] [inFlight] [rounds] [sockets]`: the server-side
 * JavaScript cost of one event, bare against authed, without the network.
 * Both servers run in this process; their real upgrade routes and socket
 * handlers are driven with a stand-in for Bun's `ServerWebSocket`, so the
 * figures cover the socket protocol, tRPC and (authed) the bridge, and nothing of the
 * kernel. Rounds alternate bare and authed; the ratio is their median.
 * With several sockets, each keeps `inFlight` calls outstanding (authed
 * sockets take the load user's sessions in turn).
 */
import type { ServerWebSocket } from 'bun';
import { bumpFrame, connectionParamsFrame, replyId } from './lib/rpc-frames';
import { median } from './lib/stats';
import { startAuthedServer } from './servers/authed-server';
import { startBareServer } from './servers/bare-server';

/** What the upgrade route hands Bun as `data`, as far as this driver uses it. */
interface SocketHandlers {
  open(ws: ServerWebSocket<unknown>): void;
  message(ws: ServerWebSocket<unknown>, message: string): void;
}

/** The part of an Elysia app the driver needs: its server and its request handler. */
interface DrivenApp {
  server: { upgrade(request: Request, options: { data: unknown }): boolean } | null;
  handle(request: Request): Promise<Response>;
}

interface DrivenSocket {
  send(frame: string): void;
  onReply(handler: (frame: string) => void): void;
}

/** Runs the app's `/trpc` route with an upgrade that captures the socket handlers, then opens a stand-in socket. */
async function openDriven(app: DrivenApp, port: number, cookie: string): Promise<DrivenSocket> {
  const server = app.server;
  if (!server) throw new Error('the app is not listening');
  let handlers: SocketHandlers | null = null;
  const upgrade = server.upgrade;
  server.upgrade = (_request, options) => {
    handlers = options.data as SocketHandlers;
    return true;
  };
  const origin = `http://127.0.0.1:${port}`;
  await app.handle(
    new Request(`${origin}/trpc?connectionParams=1`, {
      headers: { origin, host: `127.0.0.1:${port}`, cookie, connection: 'Upgrade', upgrade: 'websocket' },
    }),
  );
  server.upgrade = upgrade;
  const captured = handlers as SocketHandlers | null;
  if (!captured) throw new Error('the route did not upgrade');
  let reply: (frame: string) => void = () => {};
  const ws = {
    readyState: 1,
    data: captured,
    send: (frame: string) => reply(frame),
    close() {},
    terminate() {},
  } as unknown as ServerWebSocket<unknown>;
  captured.open(ws);
  captured.message(ws, connectionParamsFrame('in-process-tab-1'));
  return { send: (frame) => captured.message(ws, frame), onReply: (handler) => (reply = handler) };
}

/**
 * Closed loop of `events` calls with `inFlight` outstanding; answers CPU µs
 * per event (this process's user + system time: time stolen by a noisy
 * neighbour on a shared machine does not count).
 */
async function drive(group: DrivenSocket[], events: number, inFlight: number): Promise<number> {
  let sent = 0;
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    for (const socket of group)
      socket.onReply((frame) => {
        if (replyId(frame) <= 0) return;
        done++;
        if (done === events) resolve();
        else if (sent < events) socket.send(bumpFrame(++sent, sent));
      });
  });
  const started = process.cpuUsage();
  for (const socket of group) for (let i = 0; i < inFlight; i++) socket.send(bumpFrame(++sent, sent));
  await finished;
  const used = process.cpuUsage(started);
  return (used.user + used.system) / events;
}

const [events = 100_000, inFlight = 8, rounds = 7, sockets = 1] = process.argv.slice(2).map(Number);
const authed = await startAuthedServer();
const bare = startBareServer();
const authedSockets: DrivenSocket[] = [];
const bareSockets: DrivenSocket[] = [];
for (let i = 0; i < sockets; i++) {
  authedSockets.push(
    await openDriven(authed.statehouse.app as unknown as DrivenApp, authed.port, authed.cookies[i % authed.cookies.length]!),
  );
  bareSockets.push(await openDriven(bare.app as unknown as DrivenApp, bare.port, authed.cookies[0]!));
}
await drive(bareSockets, 20_000, inFlight);
await drive(authedSockets, 20_000, inFlight);
const bareUs: number[] = [];
const authedUs: number[] = [];
for (let round = 0; round < rounds; round++) {
  bareUs.push(await drive(bareSockets, events, inFlight));
  authedUs.push(await drive(authedSockets, events, inFlight));
}
const ratios = authedUs.map((a, i) => a / bareUs[i]!);
console.log(
  `bare ${median(bareUs).toFixed(2)} µs/event, authed ${median(authedUs).toFixed(2)} µs/event, ` +
    `authed/bare ${median(ratios).toFixed(2)} (rounds: ${ratios.map((r) => r.toFixed(2)).join(' ')})`,
);
await authed.stop();
await bare.stop();
process.exit(0);
