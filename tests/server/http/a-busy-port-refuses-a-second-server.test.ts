import { afterEach, describe, expect, test } from 'bun:test';
import { createStatehouse, loadConfig, type Statehouse, type StatehouseConfigInput } from '../../../server';
import { createLogger } from '../../../server/log';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { freePort } from '../../helpers/ports';
import { dashboard, testRouter } from '../../helpers/server';

const started: { statehouse: Statehouse; db: TestDatabase }[] = [];

async function statehouseWith(config: StatehouseConfigInput = {}, env: Record<string, string> = {}): Promise<Statehouse> {
  const db = await createTestDatabase();
  const loaded = loadConfig({ env: 'test', logLevel: 'silent', ...config }, env);
  const statehouse = await createStatehouse({
    router: testRouter,
    config: loaded,
    slices: [dashboard],
    database: db,
    log: createLogger('silent'),
  });
  started.push({ statehouse, db });
  return statehouse;
}

afterEach(async () => {
  for (const { statehouse, db } of started.splice(0)) {
    await statehouse.stop();
    db.cleanup();
  }
});

describe('a second server on a port that is in use', () => {
  test('fails to start with an error naming the port and the way to opt in', async () => {
    const port = await freePort();
    const first = await statehouseWith();
    await first.listen(port);
    const second = await statehouseWith();
    const error = await second.listen(port).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain(`port ${port}`);
    expect(error!.message).toContain('REUSE_PORT');
    // The first one still serves, alone.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  test('starts beside the first when both opt in (reusePort / REUSE_PORT)', async () => {
    const port = await freePort();
    const first = await statehouseWith({ reusePort: true });
    await first.listen(port);
    const second = await statehouseWith({}, { REUSE_PORT: 'true' });
    expect(second.runtime.config.reusePort).toBe(true);
    expect((await second.listen(port)).port).toBe(port);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
