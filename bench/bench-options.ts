import type { EventPartsOptions } from './scenarios/event-parts';
import type { ClientLoadOptions } from './scenarios/client-load';
import type { LockedDatabaseOptions } from './scenarios/locked-database';
import { STORM_OPTIONS, TINY_STORM_OPTIONS, type StormOptions } from './scenarios/reconnect-storm';

/** A closed-loop connection shape: `connections × inFlight`. */
export interface Shape {
  connections: number;
  inFlight: number;
}

/** Everything a bench run does; `FULL_OPTIONS` is `bun run bench`. */
export interface BenchOptions {
  /** Rounds of every shape (each round runs ceiling, bare, authed in turn). */
  rounds: number;
  shapes: Shape[];
  warmupMs: number;
  measureMs: number;
  /** Ends each window after this many replies (tiny runs); `null`: by time only. */
  maxEvents: number | null;
  /**
   * Memory per idle connection; `null` skips it. `idleMs`: how long the tabs
   * sit idle before the measurement (past the session cache's 1 s and the 2 s
   * sweep that lets idle tabs drop it).
   */
  idle: { connections: number; kinds: ('ceiling' | 'bare' | 'authed')[]; idleMs: number } | null;
  /** Logout fan-out to the tabs of one user; `null` skips it. */
  fanout: { tabs: number; sessions: number; rounds: number } | null;
  /** The reconnect storm after a restart; `null` skips it. */
  storm: StormOptions | null;
  /** Other connections' latency while logins run; `null` skips it. */
  logins: {
    rounds: number;
    loginsPerSecond: number;
    users: number;
    connections: number;
    ratePerConnection: number;
    warmupMs: number;
    measureMs: number;
    /**
     * Logins before the first round, at the same rate: long enough for the
     * JIT to finish compiling the login path, whose compilations otherwise
     * compete for the cores during the first rounds.
     */
    loginWarmupMs: number;
  } | null;
  /** Several processes on one database file, and a write lock held by another process; `null` skips it. */
  locked: LockedDatabaseOptions | null;
  /** What each part of an authed event costs at 50×1 (`--only parts`; not in the full run). */
  parts: EventPartsOptions | null;
  /** The example app's client: bundle sizes and Chromium loads to the first state push; `null` skips it. */
  client: ClientLoadOptions | null;
}

/** The full run: about 6 minutes on a 2-core machine. */
export const FULL_OPTIONS: BenchOptions = {
  rounds: 5,
  shapes: [
    { connections: 1, inFlight: 64 },
    { connections: 50, inFlight: 1 },
    { connections: 50, inFlight: 8 },
  ],
  warmupMs: 1_000,
  measureMs: 3_000,
  maxEvents: null,
  idle: { connections: 10_000, kinds: ['ceiling', 'bare', 'authed'], idleMs: 3_500 },
  fanout: { tabs: 1_000, sessions: 100, rounds: 5 },
  storm: STORM_OPTIONS,
  logins: {
    rounds: 5,
    loginsPerSecond: 20,
    users: 20,
    connections: 50,
    ratePerConnection: 20,
    warmupMs: 1_000,
    measureMs: 4_000,
    loginWarmupMs: 5_000,
  },
  locked: {
    connections: 50,
    ratePerConnection: 20,
    loginsPerSecond: 5,
    loginUsers: 5,
    sessionWritesPerSecond: 20,
    holdMs: 2_000,
    warmupMs: 1_000,
    measureMs: 4_000,
  },
  parts: null,
  client: { loads: 20 },
};

/** A few hundred events per measurement, one round, small shapes: proves the harness runs. */
export const TINY_OPTIONS: BenchOptions = {
  rounds: 1,
  shapes: [
    { connections: 1, inFlight: 4 },
    { connections: 3, inFlight: 2 },
  ],
  warmupMs: 100,
  measureMs: 2_000,
  maxEvents: 200,
  idle: { connections: 50, kinds: ['ceiling', 'bare', 'authed'], idleMs: 100 },
  fanout: { tabs: 20, sessions: 4, rounds: 1 },
  storm: TINY_STORM_OPTIONS,
  logins: {
    rounds: 1,
    loginsPerSecond: 10,
    users: 2,
    connections: 3,
    ratePerConnection: 20,
    warmupMs: 100,
    measureMs: 600,
    loginWarmupMs: 300,
  },
  locked: {
    connections: 3,
    ratePerConnection: 20,
    loginsPerSecond: 2,
    loginUsers: 1,
    sessionWritesPerSecond: 10,
    holdMs: 300,
    warmupMs: 100,
    measureMs: 800,
  },
  parts: { rounds: 1, connections: 3, inFlight: 1, warmupMs: 100, measureMs: 2_000, maxEvents: 100 },
  client: { loads: 2 },
};

/** `1×64` */
export function shapeLabel(shape: Shape): string {
  return `${shape.connections}×${shape.inFlight}`;
}
