import { callFrame, replyId, replyKind, REVOKE_PATH } from '../lib/rpc-frames';
import { median } from '../lib/stats';
import { openBenchSocket, openInBatches, cookieFor } from './bench-socket';
import { openSubscribedTab } from './idle-connections';
import type { FanoutFigures, FanoutJob } from './jobs';

/**
 * Logout fan-out: `tabs` tabs of one user, each subscribed to its pushes; an
 * admin tab ends every session of that user through the app. Measures from
 * sending the revocation until the last tab received its sign-out push.
 */
export async function runFanout(job: FanoutJob): Promise<FanoutFigures> {
  const arrivals: number[] = [];
  let t0 = 0;
  let allReached: () => void = () => {};
  const reachedAll = new Promise<void>((resolve) => {
    allReached = resolve;
  });
  const tabs = await openInBatches(job.tabs, 100, (index) =>
    openSubscribedTab(job.port, cookieFor(job.cookies, index), (frame) => {
      if (!frame.includes('"clearAuthThenNavigate"')) return;
      arrivals.push(performance.now() - t0);
      if (arrivals.length === job.tabs) allReached();
    }),
  );

  const replies = new Map<number, (frame: string) => void>();
  const admin = await openBenchSocket({ port: job.port, cookie: job.adminCookie }, (frame) => {
    const id = replyId(frame);
    replies.get(id)?.(frame);
    replies.delete(id);
  });
  const call = (id: number, userId: number) =>
    new Promise<string>((resolve) => {
      replies.set(id, resolve);
      admin.send(callFrame(id, 'mutation', REVOKE_PATH, { userId }));
    });
  // Warm the admin tab (its context, the permission check) on a user without sessions.
  const warm = await call(1, -1);
  if (replyKind(warm) !== 'data') throw new Error(`revocation refused: ${warm.slice(0, 300)}`);
  await Bun.sleep(200);

  t0 = performance.now();
  let replyMs = Number.NaN;
  let sessionsEnded = 0;
  const answered = call(2, job.userId).then((frame) => {
    replyMs = performance.now() - t0;
    sessionsEnded = Number(/"ended":(\d+)/.exec(frame)?.[1] ?? 0);
  });
  await Promise.race([reachedAll, Bun.sleep(job.timeoutMs)]);
  await Promise.race([answered, Bun.sleep(1_000)]);
  for (const ws of tabs) ws.close();
  admin.close();
  return {
    tabs: job.tabs,
    reached: arrivals.length,
    lastPushMs: arrivals.length === job.tabs ? Math.max(...arrivals) : Number.NaN,
    p50PushMs: median(arrivals),
    replyMs,
    sessionsEnded,
  };
}
