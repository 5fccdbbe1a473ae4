/**
 * What the bench asks a load client process to do, and what comes back.
 * Every job that loads a server names the server's pid: the client reads the
 * server's CPU time and RSS from `/proc` at the exact edges of its
 * measurement window.
 */

import type { PasswordHashing } from '../../server/auth/password';

interface JobBase {
  port: number;
  /** Cookie headers, taken in turn by the connections (empty: no cookie). */
  cookies: string[];
  serverPid: number;
}

/** Closed loop: every connection keeps `inFlight` calls outstanding. */
export interface ClosedLoopJob extends JobBase {
  kind: 'closed-loop';
  connections: number;
  inFlight: number;
  warmupMs: number;
  measureMs: number;
  /** Ends the window early once this many replies were counted. */
  maxEvents: number | null;
  /** The mutation called (`bench.bump` unless told; the event parts probe calls its variants). */
  path?: string;
}

/** Open loop: every connection sends at a fixed rate, whatever the replies do. */
export interface PacedJob extends JobBase {
  kind: 'paced';
  connections: number;
  ratePerConnection: number;
  warmupMs: number;
  measureMs: number;
}

/** Logins through `auth.login` at a fixed rate (argon2id verify on the server). */
export interface LoginJob extends JobBase {
  kind: 'logins';
  credentials: { loginId: string; password: string }[];
  ratePerSecond: number;
  durationMs: number;
}

/**
 * No server involved: the same argon2id verifies as `logins`, at the same
 * rate, on this process's own hashing pool (the server's code, thread count
 * and nice value). What the hashing alone does to the other connections.
 */
export interface HashLoadJob {
  kind: 'hashes';
  hashing: PasswordHashing;
  ratePerSecond: number;
  durationMs: number;
}

/** Opens connections that subscribe to their state pushes, then holds them until killed. */
export interface IdleJob extends JobBase {
  kind: 'idle';
  count: number;
  concurrency: number;
}

/** Tabs of one user subscribed to their pushes; an admin ends every session of the user. */
export interface FanoutJob extends JobBase {
  kind: 'fanout';
  userId: number;
  adminCookie: string;
  tabs: number;
  timeoutMs: number;
}

/** Subscribed tabs that come back with the client's backoff after the bench restarts their server. */
export interface StormJob extends JobBase {
  kind: 'storm';
  tabs: number;
  /** Every this many tabs, one sends events once back. */
  probeEvery: number;
  timeoutMs: number;
}

export type LoadJob = ClosedLoopJob | PacedJob | LoginJob | HashLoadJob | IdleJob | FanoutJob | StormJob;

/** What a measured window of load gives. */
export interface LoadFigures {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Server CPU (all threads, `utime + stime`) per counted event. */
  serverCpuUsPerEvent: number;
  /** Server main-thread CPU per counted event. */
  serverMainCpuUsPerEvent: number;
  /** Server `VmRSS` at the end of the window. */
  serverRssBytes: number;
  /** This client's CPU use during the window, in % of one core. */
  clientCpuPct: number;
}

export interface LoginFigures {
  attempted: number;
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  seconds: number;
  /** Server CPU per login, all threads. */
  serverCpuMsPerLogin: number;
  /** Server CPU per login on the main thread (the event loop). */
  serverMainCpuMsPerLogin: number;
}

export interface HashLoadFigures {
  attempted: number;
  verified: number;
  /** Time of one verify, queueing in the pool included. */
  p50Ms: number;
}

export interface IdleFigures {
  opened: number;
  seconds: number;
}

export interface FanoutFigures {
  tabs: number;
  /** Tabs whose sign-out push arrived (with `clearAuthThenNavigate`). */
  reached: number;
  /** From sending the revocation to the last tab's push. */
  lastPushMs: number;
  p50PushMs: number;
  /** From sending the revocation to its reply. */
  replyMs: number;
  sessionsEnded: number;
}

/** The reconnect storm, times from the first socket the new server accepted (client clock). */
export interface StormFigures {
  tabs: number;
  back: number;
  /** Tabs not back within the job's timeout. */
  lost: number;
  /** Tabs whose first push after the restart was not signed in (authed server). */
  signedOut: number;
  /** From the first dropped socket to the first accepted one. */
  downMs: number;
  p50BackMs: number;
  /** Until 99 % of the tabs had their first push again. */
  p99BackMs: number;
  allBackMs: number;
  probeEvents: number;
  probeP50Ms: number;
  probeP99Ms: number;
  /** Connection attempts refused (the server not listening yet): expected, not errors. */
  refusedAttempts: number;
  /** Probe events answered with an error, subscriptions refused. */
  errors: number;
  openSeconds: number;
  /** CPU (every thread) from the drop until all were back, per tab: the restarted server's and the client's (filled in by the bench). */
  serverCpuUsPerTab: number;
  serverMainThreadCpuUsPerTab: number;
  clientCpuUsPerTab: number;
  /**
   * Connections the kernel dropped meanwhile because a listening socket's
   * accept queue was full (`ListenOverflows`). The counter is the network
   * namespace's: on a shared machine other processes' bursts add to it.
   */
  listenOverflows: number;
}
