import { freePort } from './ports';

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
}

/** Whether Debian's redis-server is installed here. */
export const HAVE_REDIS = Bun.which('redis-server') !== null;

/**
 * Starts a throw-away redis-server on a free loopback port (no persistence).
 *
 * @example
 * const redis = await startRedis();
 * await redis.stop();
 */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const proc = Bun.spawn(['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdout: 'ignore',
    stderr: 'ignore',
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const socket = await Bun.connect({ hostname: '127.0.0.1', port, socket: { data() {} } });
      socket.end();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await Bun.sleep(50);
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      proc.kill();
      await proc.exited;
    },
  };
}
