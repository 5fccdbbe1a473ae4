import type { BenchOptions } from '../bench-options';
import type { PasswordHashing } from '../../server/auth/password';
import type { HashLoadFigures, HashLoadJob, LoadFigures, LoginFigures, LoginJob, PacedJob } from '../clients/jobs';
import { runClientJob, startBenchServer, stopBenchServer } from '../lib/bench-processes';
import { median, ratio } from '../lib/stats';
import type { WorkerMessage } from '../lib/worker-process';

export interface LoginStormRound {
  without: LoadFigures;
  with: LoadFigures;
  logins: LoginFigures;
  /** The same load while only the logins' argon2id verifies run, in another process. */
  withHashes: LoadFigures;
  hashes: HashLoadFigures;
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
  /** Median p99 while only the hashing runs (another process, no server work). */
  p99WithHashesMs: number;
  /** Median over rounds of p99 with the hashing alone / p99 without: what argon2id itself costs the others on this machine. */
  p99HashesRatio: number;
  loginP50Ms: number;
  /** Logins alone: server CPU per login, whole process and main thread. */
  cpuMsPerLogin: number;
  mainThreadCpuMsPerLogin: number;
  /** Share of a login's CPU spent off the main thread (argon2id on the low-priority hashing threads). */
  offMainThreadShare: number;
}

/**
 * Other connections' latency while logins run: an open-loop load of
 * `connections × ratePerConnection` events/s, measured alone, then with
 * `loginsPerSecond` logins (argon2id verify), then with only those logins'
 * argon2id verifies running in a process of their own (the floor: what the
 * hashing costs the machine, whatever the server does), all in the same
 * round. Last, logins alone, to split their CPU between the main thread and
 * the rest.
 */
export async function runLoginStorm(options: NonNullable<BenchOptions['logins']>, log: (line: string) => void): Promise<LoginStormSummary> {
  const server = await startBenchServer('authed');
  try {
    const { credentials, hashing } = await server.worker.request<
      WorkerMessage & { credentials: LoginJob['credentials']; hashing: PasswordHashing }
    >({ type: 'login-users', count: options.users }, 'login-users');
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
    const hashes = (durationMs: number): HashLoadJob => ({ kind: 'hashes', hashing, ratePerSecond: options.loginsPerSecond, durationMs });
    // Steady state first: the first argon2id verify, and the JIT's compilations of the login path.
    await runClientJob<LoginFigures>(logins(options.loginWarmupMs));

    const rounds: LoginStormRound[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const without = await runClientJob<LoadFigures>(paced);
      const storm = runClientJob<LoginFigures>(logins(options.warmupMs + options.measureMs + 300));
      const withLogins = await runClientJob<LoadFigures>(paced);
      const loginFigures = await storm;
      const hashLoad = runClientJob<HashLoadFigures>(hashes(options.warmupMs + options.measureMs + 300));
      const withHashes = await runClientJob<LoadFigures>(paced);
      const hashFigures = await hashLoad;
      rounds.push({ without, with: withLogins, logins: loginFigures, withHashes, hashes: hashFigures });
      log(
        `  logins round ${round}/${options.rounds}: p99 ${without.p99Ms.toFixed(2)} ms alone, ${withLogins.p99Ms.toFixed(2)} ms with ` +
          `${loginFigures.ok}/${loginFigures.attempted} logins (login p50 ${loginFigures.p50Ms.toFixed(1)} ms), ` +
          `${withHashes.p99Ms.toFixed(2)} ms with their hashing alone`,
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
      p99WithHashesMs: median(rounds.map((r) => r.withHashes.p99Ms)),
      p99HashesRatio: median(rounds.map((r) => ratio(r.withHashes.p99Ms, r.without.p99Ms))),
      loginP50Ms: median(rounds.map((r) => r.logins.p50Ms)),
      cpuMsPerLogin: alone.serverCpuMsPerLogin,
      mainThreadCpuMsPerLogin: alone.serverMainCpuMsPerLogin,
      offMainThreadShare: 1 - ratio(alone.serverMainCpuMsPerLogin, alone.serverCpuMsPerLogin),
    };
  } finally {
    await stopBenchServer(server);
  }
}
