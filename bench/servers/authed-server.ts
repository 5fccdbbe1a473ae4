import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStatehouse, loadConfig, type Statehouse } from '../../server';
import { createSession } from '../../server/auth/session';
import { createUser, grantUserPermission } from '../../server/auth/users';
import { hashingParams, type PasswordHashing } from '../../server/auth/password';
import { createLogger } from '../../server/log';
import type { BenchServer } from './bench-server';
import { ADMIN_PERM, benchAppRouter, benchSlice, WRITE_PERM } from './bench-router';

/** Sessions of the load user: the load connections take them in turn. */
const LOAD_SESSIONS = 64;

/** Generous limits: the bench measures the path, not the per-connection and per-IP throttles. */
const UNTHROTTLED = 1_000_000_000;

/** A login the login load can use: password checked with argon2id at the configured cost. */
export interface BenchCredentials {
  loginId: string;
  password: string;
}

/** The authed server plus what the scenarios ask of it. */
export interface AuthedBenchServer extends BenchServer {
  statehouse: Statehouse;
  /** Creates `count` sessions spread over `users` new users with `bench.write`; returns cookie headers. */
  createSessions(count: number, users: number): Promise<string[]>;
  /** A fresh user with `sessions` sessions (the tabs to sign out) and a cookie of an admin. */
  prepareFanout(sessions: number): Promise<{ userId: number; cookies: string[]; adminCookie: string }>;
  /** Users with real argon2id password hashes. */
  createLoginUsers(count: number): Promise<BenchCredentials[]>;
  /** The argon2id cost the server hashes passwords with. */
  hashing: PasswordHashing;
}

/** Where and how the authed server starts; the default is a fresh temp directory, listening on any free port. */
export interface AuthedServerOptions {
  /** Keeps the database here (kept on stop): a later server can start over the same database. */
  dir?: string;
  /** The port to listen on (shared with a server still running there: `reusePort`). */
  port?: number;
}

/**
 * The full Statehouse path: `createStatehouse` over a migrated libSQL file in
 * a temp directory, a user holding `bench.write` with sessions, and the
 * bench router. Production settings, but logs only warnings, and the
 * throttles and the per-address socket cap opened up (the load all comes
 * from 127.0.0.1).
 */
export async function startAuthedServer(options: AuthedServerOptions = {}): Promise<AuthedBenchServer> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'statehouse-bench-'));
  const config = loadConfig(
    {
      env: 'production',
      logLevel: 'warn',
      databaseUrl: `file:${join(dir, 'bench.db')}`,
      // Production refuses the console backend; nothing is mailed in a bench anyway.
      mail: { backend: 'file', fileDir: join(dir, 'mail') },
      rateLimit: { messageBurst: UNTHROTTLED, messagesPerSecond: UNTHROTTLED, ipBurst: UNTHROTTLED, ipPerMinute: UNTHROTTLED },
      // Every load connection comes from 127.0.0.1, under that name.
      socket: { maxConnectionsPerAddress: 0 },
      allowedHosts: ['127.0.0.1'],
      // A restarted server listens beside the old one (the reconnect storm).
      reusePort: true,
    },
    {},
  );
  const statehouse = await createStatehouse({ router: benchAppRouter, config, slices: [benchSlice], log: createLogger(config.logLevel) });
  const { db } = statehouse.runtime;
  const settings = statehouse.runtime.sessionSettings;
  const cookieName = statehouse.runtime.cookieName(false);
  let serial = 0;
  // Names stay unique when another server process seeds the same database.
  const run = `${process.pid.toString(36)}x`;

  async function newUser(prefix: string, perms: string[], password?: string): Promise<number> {
    const created = await createUser(
      db,
      { username: `${prefix}${run}${++serial}`, password: password ?? null },
      { hashing: hashingParams(config), rules: config.password, skipPasswordValidation: true },
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    for (const perm of perms) await grantUserPermission(db, created.value.id, perm);
    return created.value.id;
  }

  async function sessionsOf(userId: number, count: number): Promise<string[]> {
    const cookies: string[] = [];
    for (let i = 0; i < count; i++) {
      const { token } = await createSession(statehouse.runtime.sessions, settings, {
        userId,
        userAgent: 'statehouse-bench',
        ip: '127.0.0.1',
      });
      cookies.push(`${cookieName}=${token}`);
    }
    return cookies;
  }

  const loadUser = await newUser('load', [WRITE_PERM]);
  const cookies = await sessionsOf(loadUser, LOAD_SESSIONS);
  const { port } = await statehouse.listen(options.port ?? 0, '127.0.0.1');

  return {
    port,
    cookies,
    statehouse,
    async createSessions(count, users) {
      const ids: number[] = [];
      for (let i = 0; i < Math.max(1, users); i++) ids.push(await newUser('idle', [WRITE_PERM]));
      const out: string[] = [];
      for (let i = 0; i < count; i++) out.push(...(await sessionsOf(ids[i % ids.length]!, 1)));
      return out;
    },
    async prepareFanout(sessions) {
      const userId = await newUser('tabs', [WRITE_PERM]);
      const admin = await newUser('admin', [ADMIN_PERM]);
      const [adminCookie] = await sessionsOf(admin, 1);
      return { userId, cookies: await sessionsOf(userId, sessions), adminCookie: adminCookie! };
    },
    async createLoginUsers(count) {
      const out: BenchCredentials[] = [];
      for (let i = 0; i < count; i++) {
        const password = `bench-pass-${crypto.randomUUID()}`;
        await newUser('login', [], password);
        out.push({ loginId: `login${run}${serial}`, password });
      }
      return out;
    },
    hashing: hashingParams(config),
    async stop() {
      await statehouse.stop();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
