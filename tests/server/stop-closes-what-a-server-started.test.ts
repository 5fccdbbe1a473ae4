import { describe, expect, test } from 'bun:test';
import { hashingPool } from '../../server/auth/password';
import { createUser } from '../../server/auth/users';
import { TEST_HASHING, TEST_RULES } from '../helpers/db';
import { startTestServer } from '../helpers/server';

const PASSWORD = 'correct horse battery staple';

describe('stop() closes everything a server started', () => {
  test('a started-and-stopped server leaves no hashing thread running', async () => {
    const server = await startTestServer({ rateLimit: { ipBurst: 100 } });
    const { hashing } = server.statehouse.runtime;
    // The user is made outside the server, on the process's own pool.
    await createUser(server.db.db, { username: 'alice', password: PASSWORD }, { hashing: TEST_HASHING, rules: TEST_RULES });
    const before = hashingPool.size;
    const ws = await server.open();
    const login = await ws.call('mutation', 'auth.login', { loginId: 'alice', password: PASSWORD });
    expect(login.result).toBeDefined();
    await ws.close();
    expect(hashing.size).toBeGreaterThan(0);
    await server.stop();
    expect(hashing.size).toBe(0);
    await expect(hashing.run({ op: 'verify', password: 'x', hash: '$argon2id$' })).rejects.toThrow('closed');
    // The server never hashed on the process's pool, so stopping it left that pool as it was.
    expect(hashingPool.size).toBe(before);
  });

  test('what one server keeps per process is its own: auth snapshots, shared strings, hashing threads', async () => {
    const one = await startTestServer();
    const two = await startTestServer();
    try {
      const [a, b] = [one.statehouse.runtime, two.statehouse.runtime];
      expect(a.snapshots).not.toBe(b.snapshots);
      expect(a.registry.strings).not.toBe(b.registry.strings);
      expect(a.hashing).not.toBe(b.hashing);
    } finally {
      await one.stop();
      await two.stop();
    }
  });
});
