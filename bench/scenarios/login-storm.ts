import type { BenchOptions } from '../bench-options';
import type { LoadFigures, LoginFigures, LoginJob, PacedJob } from '../clients/jobs';
import { runClientJob, startBenchServer, stopBenchServer } from '../lib/bench-processes';
import { median, ratio } from '../lib/stats';
import type { WorkerMessage } from '../lib/worker-process';

export interface LoginStormRound {
  without: LoadFigures;
  with: LoadFigures;
  logins: LoginFigures;
}

export interface LoginStormSummary {
  loginsPerSecond: number;
  /** The other connections' open-loop load. */
  connections: number;
  ratePerConnection: number;
  rounds: LoginStormRound[];
  p99WithoutMs: number;
  p99WithMs: number;
  /** Median over rounds of p99 with logins / p99 without, same round. */
  p99Ratio: number;
  p50Ratio: number;
  loginP50Ms: number;
  /** Logins alone: server CPU per login, whole process and main thread. */
  cpuMsPerLogin: number;
  mainThreadCpuMsPerLogin: number;
  /** Share of a login's CPU spent off the main thread (argon2id on the low-priority hashing threads). */
  offMainThreadShare: number;
}

/**
 * Other connections' latency while logins run: an open-loop load of
 * `connections × ratePerConnection` events/s, measured alone and then with
 * `loginsPerSecond` logins (argon2id verify) in the same round. Last, logins
 * alone, to split their CPU between the main thread and the rest.
 */
export async function runLoginStorm(options: NonNullable<BenchOptions['logins']>, log: (line: string) => void): Promise<LoginStormSummary> {
  const server = await startBenchServer('authed');
  try {
    const { credentials } = await server.worker.request<WorkerMessage & { credentials: LoginJob['credentials'] }>(
      { type: 'login-users', count: options.users },
      'login-users',
    );
    const paced: PacedJob = {
      kind: 'paced',
      port: server.port,
      serverPid: server.pid,
      cookies: server.cookies,
      connections: options.connections,
      ratePerConnection: options.ratePerConnection,
      warmupMs: options.warmupMs,
      measureMs: options.measureMs,
    };
    const logins = (durationMs: number): LoginJob => ({
      kind: 'logins',
      port: server.port,
      serverPid: server.pid,
      cookies: [],
      credentials,
      ratePerSecond: options.loginsPerSecond,
      durationMs,
    });
    // Steady state first: the first argon2id verify, and the JIT's compilations of the login path.
    await runClientJob<LoginFigures>(logins(options.loginWarmupMs));

    const rounds: LoginStormRound[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const without = await runClientJob<LoadFigures>(paced);
      const storm = runClientJob<LoginFigures>(logins(options.warmupMs + options.measureMs + 300));
      const withLogins = await runClientJob<LoadFigures>(paced);
      const loginFigures = await storm;
      rounds.push({ without, with: withLogins, logins: loginFigures });
      log(
        `  logins round ${round}/${options.rounds}: p99 ${without.p99Ms.toFixed(2)} ms alone, ${withLogins.p99Ms.toFixed(2)} ms with ` +
          `${loginFigures.ok}/${loginFigures.attempted} logins (login p50 ${loginFigures.p50Ms.toFixed(1)} ms)`,
      );
    }
    const alone = await runClientJob<LoginFigures>(logins(Math.max(1_000, options.measureMs)));
    log(
      `  logins alone: ${alone.serverCpuMsPerLogin.toFixed(1)} ms CPU per login, ` +
        `${alone.serverMainCpuMsPerLogin.toFixed(1)} ms of it on the main thread`,
    );
    return {
      loginsPerSecond: options.loginsPerSecond,
      connections: options.connections,
      ratePerConnection: options.ratePerConnection,
      rounds,
      p99WithoutMs: median(rounds.map((r) => r.without.p99Ms)),
      p99WithMs: median(rounds.map((r) => r.with.p99Ms)),
      p99Ratio: median(rounds.map((r) => ratio(r.with.p99Ms, r.without.p99Ms))),
      p50Ratio: median(rounds.map((r) => ratio(r.with.p50Ms, r.without.p50Ms))),
      loginP50Ms: median(rounds.map((r) => r.logins.p50Ms)),
      cpuMsPerLogin: alone.serverCpuMsPerLogin,
      mainThreadCpuMsPerLogin: alone.serverMainCpuMsPerLogin,
      offMainThreadShare: 1 - ratio(alone.serverMainCpuMsPerLogin, alone.serverCpuMsPerLogin),
    };
  } finally {
    await stopBenchServer(server);
  }
}
