import { replyId, replyKind, STATE_PATH, subscriptionFrame } from '../lib/rpc-frames';
import { cookieFor, openBenchSocket, openInBatches } from './bench-socket';
import type { IdleFigures, IdleJob } from './jobs';

/** Id of the state subscription on every bench tab. */
export const STATE_SUBSCRIPTION_ID = 1;

/**
 * Opens a tab the way the state client does: socket, connection params,
 * `statehouse.state` subscription; resolves once the first (full) push came.
 * `onPush` sees every later push of the tab.
 */
export function openSubscribedTab(port: number, cookie: string | null, onPush: (frame: string) => void = () => {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    let first = true;
    let socket: WebSocket | null = null;
    const timer = setTimeout(() => reject(new Error('no first state push within 30 s')), 30_000);
    openBenchSocket({ port, cookie }, (frame) => {
      if (replyId(frame) !== STATE_SUBSCRIPTION_ID) return;
      const kind = replyKind(frame);
      if (kind === 'error') {
        clearTimeout(timer);
        reject(new Error(`state subscription failed: ${frame.slice(0, 200)}`));
      }
      if (kind !== 'data') return;
      if (first) {
        first = false;
        clearTimeout(timer);
        resolve(socket!);
      } else {
        onPush(frame);
      }
    }).then((ws) => {
      socket = ws;
      ws.send(subscriptionFrame(STATE_SUBSCRIPTION_ID, STATE_PATH));
    }, reject);
  });
}

/** Holds what it opened until the process ends. */
const held: WebSocket[] = [];

/**
 * Opens `count` subscribed tabs and keeps them open (idle: no event after the
 * first push) until the bench kills this process.
 */
export async function openIdle(job: IdleJob): Promise<IdleFigures> {
  const started = performance.now();
  const sockets = await openInBatches(job.count, job.concurrency, (index) => openSubscribedTab(job.port, cookieFor(job.cookies, index)));
  held.push(...sockets);
  return { opened: sockets.length, seconds: (performance.now() - started) / 1000 };
}
