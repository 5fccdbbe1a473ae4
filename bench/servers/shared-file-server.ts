/**
 * A Statehouse process on a database file other processes share:
 * `bun bench/servers/shared-file-server.ts <database file>`. Serves
 * `bench.bump` (the authed load) and `lockbench.remember` (one session write
 * per call), and watches its own event loop: a timer due every millisecond
 * notes how late it fires, so a thread blocked on a lock shows as a stall.
 *
 * IPC: `ready` (port) once listening; `setup` (the first process only)
 * creates the load user's sessions and the login users; `probe-reset` /
 * `probe` read the longest stall since the reset; `stop`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { authed, createAppRouter, createStatehouse, guarded, loadConfig, router } from '../../server';
import { createSession } from '../../server/auth/session';
import { createUser, grantUserPermission } from '../../server/auth/users';
import { hashingParams } from '../../server/auth/password';
import { createLogger } from '../../server/log';
import { onBenchMessage, reply } from '../lib/worker-process';
import { benchRouter, benchSlice, WRITE_PERM } from './bench-router';

const path = process.argv[2];
if (!path) throw new Error('usage: shared-file-server.ts <database file>');

/** Generous limits: the bench measures the database, not the throttles. */
const UNTHROTTLED = 1_000_000_000;
const LOAD_SESSIONS = 64;

const lockbenchRouter = router({
  /** One session write (an upsert of one key), the write a tab's preference or cart makes. */
  remember: guarded(authed())
    .input(z.object({ key: z.string().min(1).max(64), value: z.string().max(64) }))
    .mutation(async function remember({ ctx, input }) {
      await ctx.session.set(input.key, input.value);
      return true;
    }),
});

const config = loadConfig(
  {
    env: 'production',
    logLevel: 'error',
    databaseUrl: `file:${path}`,
    mail: { backend: 'file', fileDir: `${path}.mail` },
    rateLimit: { messageBurst: UNTHROTTLED, messagesPerSecond: UNTHROTTLED, ipBurst: UNTHROTTLED, ipPerMinute: UNTHROTTLED },
    socket: { maxConnectionsPerAddress: 0 },
    allowedHosts: ['127.0.0.1'],
  },
  {},
);
const statehouse = await createStatehouse({
  router: createAppRouter({ bench: benchRouter, lockbench: lockbenchRouter }),
  config,
  slices: [benchSlice],
  log: createLogger(config.logLevel),
});
const { port } = await statehouse.listen(0, '127.0.0.1');

/**
 * Event-loop stall probe: how late a 1 ms timer fires. On a machine shared
 * with other work, part of a delay is the thread waiting for a core; the
 * kernel counts that wait (`/proc/thread-self/schedstat`, second field), so
 * the probe also keeps the longest delay without it: time the thread itself
 * was blocked or busy.
 */
const SCHEDSTAT = '/proc/thread-self/schedstat';
function runQueueWaitMs(): number {
  return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[1]) / 1e6;
}
let maxStallMs = 0;
let maxStallOffRunQueueMs = 0;
let stallsOver20Ms = 0;
let due = performance.now() + 1;
let waited = runQueueWaitMs();
const probe = setInterval(() => {
  const now = performance.now();
  const wait = runQueueWaitMs();
  const late = now - due;
  maxStallMs = Math.max(maxStallMs, late);
  maxStallOffRunQueueMs = Math.max(maxStallOffRunQueueMs, late - (wait - waited));
  if (late > 20) stallsOver20Ms++;
  due = now + 1;
  waited = wait;
}, 1);

async function setup(logins: number): Promise<{ cookies: string[]; credentials: { loginId: string; password: string }[] }> {
  const { db } = statehouse.runtime;
  const options = { hashing: hashingParams(config), rules: config.password, skipPasswordValidation: true };
  const load = await createUser(db, { username: 'load' }, options);
  if (!load.ok) throw new Error(JSON.stringify(load.errors));
  await grantUserPermission(db, load.value.id, WRITE_PERM);
  const cookieName = statehouse.runtime.cookieName(false);
  const cookies: string[] = [];
  for (let i = 0; i < LOAD_SESSIONS; i++) {
    const { token } = await createSession(statehouse.runtime.sessions, statehouse.runtime.sessionSettings, {
      userId: load.value.id,
      userAgent: 'statehouse-bench',
      ip: '127.0.0.1',
    });
    cookies.push(`${cookieName}=${token}`);
  }
  const credentials: { loginId: string; password: string }[] = [];
  for (let i = 0; i < logins; i++) {
    const password = `bench-pass-${crypto.randomUUID()}`;
    const created = await createUser(db, { username: `login${i}`, password }, options);
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    credentials.push({ loginId: `login${i}`, password });
  }
  return { cookies, credentials };
}

onBenchMessage(async (message) => {
  switch (message.type) {
    case 'setup':
      reply({ type: 'setup', ...(await setup(Number(message.logins))) });
      return;
    case 'probe-reset':
      maxStallMs = 0;
      maxStallOffRunQueueMs = 0;
      stallsOver20Ms = 0;
      due = performance.now() + 1;
      reply({ type: 'probe-reset' });
      return;
    case 'probe':
      reply({ type: 'probe', maxStallMs, maxStallOffRunQueueMs, stallsOver20Ms });
      return;
    case 'stop':
      clearInterval(probe);
      await statehouse.stop();
      reply({ type: 'stopped' });
      process.exit(0);
  }
});

process.on('SIGTERM', () => {
  clearInterval(probe);
  void statehouse.stop().finally(() => process.exit(0));
});

reply({ type: 'ready', pid: process.pid, port, cookies: [] });
