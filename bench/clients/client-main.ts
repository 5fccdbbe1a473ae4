/**
 * A load client process: `bun bench/clients/client-main.ts`. Takes one job
 * over IPC, runs it against a bench server on 127.0.0.1 and answers with its
 * figures. Idle jobs keep their connections open until the bench kills the
 * process; every other job ends the process once answered.
 */
import { onBenchMessage, reply } from '../lib/worker-process';
import { runClosedLoop } from './closed-loop';
import { runFanout } from './fanout-probe';
import { runHashLoad } from './hash-load';
import { openIdle } from './idle-connections';
import type { LoadJob } from './jobs';
import { runLogins } from './login-load';
import { runPaced } from './paced-load';
import { runStorm } from './storm-tabs';

async function run(job: LoadJob): Promise<unknown> {
  switch (job.kind) {
    case 'closed-loop':
      return runClosedLoop(job);
    case 'paced':
      return runPaced(job);
    case 'logins':
      return runLogins(job);
    case 'hashes':
      return runHashLoad(job);
    case 'idle':
      return openIdle(job);
    case 'fanout':
      return runFanout(job);
    case 'storm':
      return runStorm(job);
  }
}

onBenchMessage(async (message) => {
  if (message.type !== 'job') return;
  const job = message.job as LoadJob;
  const result = await run(job);
  reply({ type: 'result', result });
  if (job.kind !== 'idle') setTimeout(() => process.exit(0), 50);
});

reply({ type: 'ready', pid: process.pid });
