import type { Subprocess } from 'bun';
import { resolve } from 'node:path';

export interface NodeProcess {
  url: string;
  proc: Subprocess;
  /** SIGKILL: no shutdown of any kind. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Spawns `tests/helpers/cluster-node.ts` (or `script`) with `env` and waits for
 * its `READY <url>` line.
 */
export async function spawnNode(env: Record<string, string>, script = resolve(import.meta.dir, 'cluster-node.ts')): Promise<NodeProcess> {
  const proc = Bun.spawn(['bun', script], { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'inherit' });
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  const deadline = Date.now() + 20_000;
  while (!buffered.includes('\n') || !/READY (\S+)/.test(buffered)) {
    const chunk = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
    if (!chunk || chunk.done) {
      proc.kill(9);
      throw new Error(`node did not start: ${buffered}`);
    }
    buffered += decoder.decode(chunk.value);
  }
  const url = buffered.match(/READY (\S+)/)![1]!;
  // Keep draining stdout so the child never blocks on a full pipe.
  void (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => null);
      if (!chunk || chunk.done) return;
    }
  })();
  return {
    url,
    proc,
    async kill9() {
      proc.kill(9);
      await proc.exited;
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      await Promise.race([proc.exited, Bun.sleep(5_000).then(() => proc.kill(9))]);
    },
  };
}
