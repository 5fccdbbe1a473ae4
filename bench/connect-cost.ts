/**
 * `bun bench/connect-cost.ts [tabs] [sessions] [users] [rounds]`: the
 * server-side JavaScript cost of one tab coming back (the upgrade route, the
 * connection, its params, the `statehouse.state` subscription and its first
 * push), authed against bare, without the network: what the reconnect storm
 * asks of the event loop beside Bun's own upgrade and socket work. Both
 * servers run in this process, driven like `in-process.ts`. Each round
 * closes the previous round's tabs, makes the authed server forget every
 * validation it shares (as a restarted server knows none), then opens
 * `tabs` tabs of each kind, 50 at a time, the authed ones over `sessions`
 * sessions of `users` users. Round 1 runs on a cold process, as a
 * restarted server does: its code has not been compiled yet. Figures are
 * this process's CPU time (user + system) per tab, and the database
 * statements per tab.
 */
import { drivenTabs, type DrivenApp, type DrivenSocket } from './lib/driven-socket';
import { STATE_PATH, subscriptionFrame } from './lib/rpc-frames';
import { startAuthedServer } from './servers/authed-server';
import { startBareServer } from './servers/bare-server';

const [tabs = 5_000, sessions = 500, users = 50, rounds = 4] = process.argv.slice(2).map(Number);
const BATCH = 50;

const authed = await startAuthedServer();
const bare = startBareServer();
const authedCookies = await authed.createSessions(sessions, users);
const kinds = {
  authed: {
    open: drivenTabs(authed.statehouse.app as unknown as DrivenApp, authed.port),
    cookies: authedCookies,
    tabs: [] as DrivenSocket[],
  },
  bare: { open: drivenTabs(bare.app as unknown as DrivenApp, bare.port), cookies: [] as string[], tabs: [] as DrivenSocket[] },
};

// Every statement the authed server's database runs (the bench's own setup is done).
const client = authed.statehouse.runtime.db.$client;
const execute = client.execute.bind(client);
let statements = 0;
client.execute = ((...args: Parameters<typeof execute>) => {
  statements++;
  return execute(...args);
}) as typeof client.execute;

/** Opens a tab, subscribes it, and resolves at its first push. */
async function comeBack(kind: keyof typeof kinds, i: number): Promise<DrivenSocket> {
  const { open, cookies } = kinds[kind];
  const tab = await open({ cookie: cookies[i % cookies.length], tabId: `${kind}-tab-${i}` });
  await new Promise<void>((resolve) => {
    tab.onReply((frame) => {
      if (frame.includes('"full":true')) resolve();
    });
    tab.send(subscriptionFrame(1, STATE_PATH));
  });
  return tab;
}

async function round(kind: keyof typeof kinds): Promise<{ cpuUs: number; statements: number }> {
  for (const tab of kinds[kind].tabs.splice(0)) tab.close();
  authed.statehouse.runtime.registry.validations.identityChanged();
  Bun.gc(true);
  const before = statements;
  const started = process.cpuUsage();
  for (let i = 0; i < tabs; i += BATCH) {
    const batch: Promise<DrivenSocket>[] = [];
    for (let j = i; j < Math.min(tabs, i + BATCH); j++) batch.push(comeBack(kind, j));
    kinds[kind].tabs.push(...(await Promise.all(batch)));
  }
  const used = process.cpuUsage(started);
  return { cpuUs: (used.user + used.system) / tabs, statements: (statements - before) / tabs };
}

console.log(`${tabs} tabs per round; authed over ${sessions} sessions of ${users} users; CPU µs per tab (database statements per tab)`);
for (let r = 1; r <= rounds; r++) {
  const a = await round('authed');
  const b = await round('bare');
  console.log(
    `round ${r}${r === 1 ? ' (cold)' : ''}: authed ${a.cpuUs.toFixed(0)} µs (${a.statements.toFixed(2)}), ` +
      `bare ${b.cpuUs.toFixed(0)} µs, authed ÷ bare ${(a.cpuUs / b.cpuUs).toFixed(2)}`,
  );
}
await authed.stop();
await bare.stop();
process.exit(0);
