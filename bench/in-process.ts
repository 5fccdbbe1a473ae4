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
import { drivenTabs, type DrivenApp, type DrivenSocket } from './lib/driven-socket';
import { bumpFrame, replyId } from './lib/rpc-frames';
import { median } from './lib/stats';
import { startAuthedServer } from './servers/authed-server';
import { startBareServer } from './servers/bare-server';

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
const openAuthed = drivenTabs(authed.statehouse.app as unknown as DrivenApp, authed.port);
const openBare = drivenTabs(bare.app as unknown as DrivenApp, bare.port);
const authedSockets: DrivenSocket[] = [];
const bareSockets: DrivenSocket[] = [];
for (let i = 0; i < sockets; i++) {
  authedSockets.push(await openAuthed({ cookie: authed.cookies[i % authed.cookies.length]!, tabId: `in-process-tab-${i}` }));
  bareSockets.push(await openBare({ cookie: authed.cookies[0]!, tabId: `in-process-tab-${i}` }));
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
