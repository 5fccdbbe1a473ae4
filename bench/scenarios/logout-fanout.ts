import type { BenchOptions } from '../bench-options';
import type { FanoutFigures, FanoutJob } from '../clients/jobs';
import { runClientJob, startBenchServer, stopBenchServer } from '../lib/bench-processes';
import { median } from '../lib/stats';
import type { WorkerMessage } from '../lib/worker-process';

export interface FanoutSummary {
  tabs: number;
  sessions: number;
  rounds: FanoutFigures[];
  /** Median over rounds of the time until the last tab had its sign-out push. */
  lastPushMs: number;
  p50PushMs: number;
  replyMs: number;
  /** Every tab reached in every round. */
  complete: boolean;
}

/**
 * Logout fan-out on a fresh authed server: each round a new user with
 * `sessions` sessions and `tabs` subscribed tabs over them; an admin tab
 * calls `bench.revokeUser` (`ctx.auth.invalidateUserSessions`).
 */
export async function runFanout(options: NonNullable<BenchOptions['fanout']>, log: (line: string) => void): Promise<FanoutSummary> {
  const server = await startBenchServer('authed');
  try {
    const rounds: FanoutFigures[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const prepared = await server.worker.request<WorkerMessage & { userId: number; cookies: string[]; adminCookie: string }>(
        { type: 'fanout', sessions: options.sessions },
        'fanout',
      );
      const job: FanoutJob = {
        kind: 'fanout',
        port: server.port,
        serverPid: server.pid,
        cookies: prepared.cookies,
        userId: prepared.userId,
        adminCookie: prepared.adminCookie,
        tabs: options.tabs,
        timeoutMs: 10_000,
      };
      const figures = await runClientJob<FanoutFigures>(job);
      rounds.push(figures);
      log(
        `  fan-out round ${round}/${options.rounds}: ${figures.reached}/${figures.tabs} tabs, last push ` +
          `${figures.lastPushMs.toFixed(1)} ms, reply ${figures.replyMs.toFixed(1)} ms, ${figures.sessionsEnded} sessions ended`,
      );
      await Bun.sleep(200);
    }
    return {
      tabs: options.tabs,
      sessions: options.sessions,
      rounds,
      lastPushMs: median(rounds.map((r) => r.lastPushMs)),
      p50PushMs: median(rounds.map((r) => r.p50PushMs)),
      replyMs: median(rounds.map((r) => r.replyMs)),
      complete: rounds.every((r) => r.reached === r.tabs),
    };
  } finally {
    await stopBenchServer(server);
  }
}
