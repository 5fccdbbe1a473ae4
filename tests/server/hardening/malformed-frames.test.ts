import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ rateLimit: { messageBurst: 1_000_000, messagesPerSecond: 1_000_000 } });
});
afterAll(async () => {
  await server.stop();
});

const PATHS = [
  'probe.whoami',
  'probe.setTab',
  'probe.sessionSet',
  'auth.login',
  'statehouse.route',
  'statehouse.state',
  'nope',
  '__proto__',
  'constructor.prototype',
  '',
];

/** Nested arrays/objects `depth` levels deep. */
function deep(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const rpcLike = fc.record(
  {
    id: fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.constant(null), fc.double(), fc.boolean()),
    jsonrpc: fc.oneof(fc.constant('2.0'), fc.string({ maxLength: 4 })),
    method: fc.oneof(
      fc.constantFrom('query', 'mutation', 'subscription', 'subscription.stop', 'connectionParams', 'GET'),
      fc.string({ maxLength: 12 }),
    ),
    params: fc.oneof(
      fc.record({ path: fc.constantFrom(...PATHS), input: fc.jsonValue({ maxDepth: 4 }) }, { requiredKeys: [] }),
      fc.jsonValue({ maxDepth: 3 }),
    ),
  },
  { requiredKeys: [] },
);

const frame = fc.oneof(
  { weight: 5, arbitrary: rpcLike.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: fc.array(rpcLike, { maxLength: 30 }).map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"id":1,"method":"query","params":{"path":"probe.setTab","input":{"__proto__":{"polluted":true},"tab":"x"}}}',
      '{"id":1,"method":"mutation","params":{"path":"probe.sessionSet","input":{"constructor":{"prototype":{"polluted":true}},"key":"k","value":"v"}}}',
      '{"__proto__":{"polluted":true},"id":2,"method":"query","params":{"path":"probe.whoami"}}',
      `{"id":3,"method":"mutation","params":{"path":"probe.setTab","input":${deep(5000, 'array')}}}`,
      `{"id":4,"method":"mutation","params":{"path":"probe.setTab","input":${deep(2000, 'object')}}}`,
      `{"id":5,"method":"mutation","params":{"path":"probe.setTab","input":[${'1,'.repeat(20000)}1]}}`,
      '[{"id":6,"method":"query","params":{"path":"probe.whoami"}},{"id":6,"method":"query","params":{"path":"probe.whoami"}}]',
      '{"id":7,"method":"subscription","params":{"path":"statehouse.state"}}',
      '{"id":7,"method":"subscription","params":{"path":"statehouse.state"}}',
      '{"id":8}',
      'null',
      '[]',
      '{',
    ),
  },
);

describe('malformed JSON-RPC frames', () => {
  test('10,000 generated frames: typed errors or a close, never a crash or prototype pollution', async () => {
    const frames = fc.sample(frame, { numRuns: 10_000, seed: 20261128 });
    let ws = await server.open();
    let sentOnSocket = 0;
    for (const text of frames) {
      if (ws.ws.readyState !== WebSocket.OPEN) {
        ws = await server.open();
        sentOnSocket = 0;
      }
      ws.send(text);
      if (++sentOnSocket % 250 === 0) {
        // A sentinel: the server still answers on this socket (or closed it on purpose).
        const reply = await Promise.race([ws.call('query', 'probe.whoami'), Bun.sleep(5000).then(() => null)]);
        if (ws.ws.readyState === WebSocket.OPEN) expect(reply?.error ?? null).toBeNull();
      }
    }
    await ws.close();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    const fresh = await server.open();
    expect((await fresh.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await fresh.close();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  }, 120_000);

  test('an unknown path and a wrong method are typed NOT_FOUND errors', async () => {
    const ws = await server.open();
    expect((await ws.call('query', 'does.not.exist')).error?.data.code).toBe('NOT_FOUND');
    expect((await ws.call('query', 'probe.setTab', { tab: 'x' })).error?.data.code).toBe('NOT_FOUND');
    await ws.close();
  });
});

describe('frame limits', () => {
  test('a frame over the size limit closes the socket with 1009 and leaves the server serving', async () => {
    const ws = await server.open();
    ws.send('x'.repeat(server.statehouse.runtime.config.socket.maxPayloadBytes + 1));
    expect(await ws.waitClosed()).toBe(1009);
    const fresh = await server.open();
    expect((await fresh.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await fresh.close();
  });
});
