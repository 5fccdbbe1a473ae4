/**
 * A bench server process: `bun bench/servers/server-main.ts <ceiling|bare|authed> [options]`.
 * Says `ready` over IPC with its port and the load cookies, then answers the
 * bench's requests (garbage collection, sessions, fan-out and login users).
 * `options` (JSON): the ceiling's and the authed server's `{ dir, port }`
 * (`AuthedServerOptions`), for a restart over the same database and port.
 */
import { heapStats } from 'bun:jsc';
import { onBenchMessage, reply, type WorkerMessage } from '../lib/worker-process';
import { startAuthedServer, type AuthedBenchServer, type AuthedServerOptions } from './authed-server';
import { startBareServer } from './bare-server';
import { isServerKind, type BenchServer } from './bench-server';
import { startCeilingServer } from './ceiling-server';

const kind = process.argv[2];
if (!isServerKind(kind)) throw new Error(`usage: server-main.ts <ceiling|bare|authed|bare-loaded>, got ${kind}`);

const options = process.argv[3] ? (JSON.parse(process.argv[3]) as AuthedServerOptions) : {};
/** `bare-loaded`: the authed server, started and left idle beside the bare one it serves. */
const idleBeside = kind === 'bare-loaded' ? await startAuthedServer() : null;
const server: BenchServer =
  kind === 'ceiling'
    ? startCeilingServer(options.port)
    : kind === 'bare' || kind === 'bare-loaded'
      ? startBareServer()
      : await startAuthedServer(options);
const authed = kind === 'authed' ? (server as AuthedBenchServer) : null;

function requireAuthed(type: string): AuthedBenchServer {
  if (!authed) throw new Error(`"${type}" needs the authed server`);
  return authed;
}

/** Full collection, then the JS heap's size and its most numerous object types. */
function collect(): WorkerMessage {
  Bun.gc(true);
  const stats = heapStats();
  const top = Object.entries(stats.objectTypeCounts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 40);
  return {
    type: 'gc',
    heapSize: stats.heapSize,
    heapCapacity: stats.heapCapacity,
    objectCount: stats.objectCount,
    objectTypes: Object.fromEntries(top),
  };
}

onBenchMessage(async (message) => {
  switch (message.type) {
    case 'gc':
      reply(collect());
      return;
    case 'sessions':
      reply({ type: 'sessions', cookies: await requireAuthed('sessions').createSessions(Number(message.count), Number(message.users)) });
      return;
    case 'fanout':
      reply({ type: 'fanout', ...(await requireAuthed('fanout').prepareFanout(Number(message.sessions))) });
      return;
    case 'login-users': {
      const authed = requireAuthed('login-users');
      reply({ type: 'login-users', credentials: await authed.createLoginUsers(Number(message.count)), hashing: authed.hashing });
      return;
    }
    case 'stop':
      await server.stop();
      await idleBeside?.stop();
      reply({ type: 'stopped' });
      process.exit(0);
  }
});

process.on('SIGTERM', () => {
  void server.stop().finally(() => process.exit(0));
});

reply({ type: 'ready', kind, pid: process.pid, port: server.port, cookies: server.cookies });
