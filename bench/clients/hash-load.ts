import { hashPassword, hashingPool, verifyPassword } from '../../server/auth/password';
import { latencyQuantiles, NumberLog } from '../lib/stats';
import type { HashLoadFigures, HashLoadJob } from './jobs';

/**
 * argon2id verifies at `ratePerSecond` through the framework's own hashing
 * pool in this process, with no server and no socket: the hashing that a
 * login storm brings, without the rest of the login.
 */
export async function runHashLoad(job: HashLoadJob): Promise<HashLoadFigures> {
  const password = `bench-pass-${crypto.randomUUID()}`;
  const hash = await hashPassword(password, job.hashing);
  const latencies = new NumberLog(1024);
  let attempted = 0;
  let verified = 0;
  const pending = new Set<Promise<void>>();

  function fire(): void {
    attempted++;
    const sentAt = performance.now();
    const run = verifyPassword(password, hash).then((ok) => {
      latencies.push(performance.now() - sentAt);
      if (ok) verified++;
      pending.delete(run);
    });
    pending.add(run);
  }

  const timer = setInterval(fire, 1000 / job.ratePerSecond);
  await Bun.sleep(job.durationMs);
  clearInterval(timer);
  await Promise.all(pending);
  await hashingPool.close();
  return { attempted, verified, p50Ms: latencyQuantiles(latencies.values()).p50 };
}
