import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { startTestServer, type TestServer } from '../../helpers/server';
import type { RpcReply, TestSocket } from '../../helpers/socket-client';

const BURST = 20;
const PER_SECOND = 2;
const FLOOD = 300;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ rateLimit: { messageBurst: BURST, messagesPerSecond: PER_SECOND } });
});
afterAll(async () => {
  await server.stop();
});

/** Sends `count` calls at once, without waiting for any reply; returns every reply. */
async function flood(ws: TestSocket, count: number): Promise<{ replies: RpcReply[]; seconds: number }> {
  const started = performance.now();
  const replies = await Promise.all(
    Array.from({ length: count }, (_, i) => ws.call(i % 2 ? 'query' : 'mutation', i % 2 ? 'probe.whoami' : 'probe.bump')),
  );
  return { replies, seconds: (performance.now() - started) / 1000 };
}

/** Most calls a bucket can let through in `seconds`: the burst plus the refill. */
function allowance(seconds: number): number {
  return BURST + Math.ceil(seconds * PER_SECOND) + 1;
}

describe('a connection sending above its message budget', () => {
  test('gets typed TOO_MANY_REQUESTS errors with retryAfter, while other connections are served', async () => {
    const alice = await server.userWithSession('alice');
    const flooder = await server.open({ cookie: alice.cookie });
    // Another tab of the same user, and a stranger: their budgets are their own.
    const sameUser = await server.open({ cookie: alice.cookie });
    const stranger = await server.open();

    const [{ replies, seconds }, sameUserReplies, strangerReplies] = await Promise.all([
      flood(flooder, FLOOD),
      Promise.all(Array.from({ length: BURST }, () => sameUser.call('query', 'probe.whoami'))),
      Promise.all(Array.from({ length: BURST }, () => stranger.call('query', 'probe.whoami'))),
    ]);

    const ok = replies.filter((r) => r.result);
    const limited = replies.filter((r) => r.error?.data.code === 'TOO_MANY_REQUESTS');
    expect(ok.length + limited.length).toBe(FLOOD);
    expect(ok.length).toBeGreaterThanOrEqual(BURST);
    expect(ok.length).toBeLessThanOrEqual(allowance(seconds));
    for (const reply of limited) expect(reply.error!.data.statehouse.retryAfter).toBeGreaterThanOrEqual(1);

    expect(sameUserReplies.every((r) => r.result)).toBe(true);
    expect(strangerReplies.every((r) => r.result)).toBe(true);
    // Refused calls ran no handler: the counter moved once per served bump only.
    const bumps = ok.filter((r) => typeof (r.result?.data as { data: unknown }).data === 'number');
    expect(Math.max(...bumps.map((r) => (r.result!.data as { data: number }).data))).toBe(bumps.length);

    // The flooder is throttled, not disconnected: after a pause it is served again.
    expect(flooder.ws.readyState).toBe(WebSocket.OPEN);
    await Bun.sleep(1000 / PER_SECOND + 200);
    expect((await flooder.ok('query', 'probe.whoami')).data.userId).toBe(alice.userId);
    for (const ws of [flooder, sameUser, stranger]) await ws.close();
  });

  test('batched calls count one by one', async () => {
    const ws = await server.open();
    const ids = Array.from({ length: 20 }, (_, i) => 9_000 + i);
    const frame = ids.map((id) => ({ id, jsonrpc: '2.0', method: 'query', params: { path: 'probe.whoami' } }));
    const started = performance.now();
    // Two full batches in two frames: 40 calls against a burst of 20.
    const replies: RpcReply[] = [];
    const done = new Promise<void>((resolve) => {
      ws.ws.addEventListener('message', (ev) => {
        const parsed = JSON.parse(String(ev.data));
        for (const msg of Array.isArray(parsed) ? parsed : [parsed]) if (msg.id >= 9_000 && msg.id < 20_000) replies.push(msg);
        if (replies.length === 40) resolve();
      });
    });
    ws.send(JSON.stringify(frame));
    ws.send(JSON.stringify(frame.map((m) => ({ ...m, id: m.id + 100 }))));
    await done;
    const seconds = (performance.now() - started) / 1000;
    const ok = replies.filter((r) => r.result).length;
    expect(ok).toBeLessThanOrEqual(allowance(seconds));
    expect(replies.filter((r) => r.error?.data.code === 'TOO_MANY_REQUESTS').length).toBe(40 - ok);
    await ws.close();
  });

  test('calls to unknown paths spend the budget like known ones', async () => {
    const ws = await server.open();
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: FLOOD }, (_, i) => ws.call(i % 2 ? 'query' : 'mutation', `probe.missing${i}`)));
    const seconds = (performance.now() - started) / 1000;
    const notFound = replies.filter((r) => r.error?.data.code === 'NOT_FOUND').length;
    const limited = replies.filter((r) => r.error?.data.code === 'TOO_MANY_REQUESTS');
    expect(notFound + limited.length).toBe(FLOOD);
    expect(notFound).toBeGreaterThanOrEqual(BURST);
    expect(notFound).toBeLessThanOrEqual(allowance(seconds));
    for (const reply of limited) expect(reply.error!.data.statehouse.retryAfter).toBeGreaterThanOrEqual(1);
    await ws.close();
  });

  test('PING frames spend the budget: past it they go unanswered', async () => {
    const ws = await server.open();
    // Let the context settle, so every PING below meets the same budget.
    await ws.ok('query', 'probe.whoami');
    const started = performance.now();
    for (let i = 0; i < FLOOD; i++) ws.send('PING');
    // Frames are handled in order: once this call is answered, every PING before it was.
    const after = await ws.call('query', 'probe.whoami');
    const seconds = (performance.now() - started) / 1000;
    const pongs = ws.frames.filter((f) => f === 'PONG').length;
    const served = pongs + (after.result ? 1 : 0);
    expect(pongs).toBeGreaterThanOrEqual(BURST - 1);
    // The first call took one token; the PINGs and the last call share the rest.
    expect(served).toBeLessThanOrEqual(allowance(seconds) - 1);
    expect(ws.ws.readyState).toBe(WebSocket.OPEN);
    await ws.close();
  });

  test('frames that do not parse spend the budget: past it they go unanswered', async () => {
    const ws = await server.open();
    await ws.ok('query', 'probe.whoami');
    const started = performance.now();
    for (let i = 0; i < FLOOD; i++) ws.send(i % 2 ? '{not json' : '{"id":null,"method":"query","params":{"path":"probe.whoami"}}');
    const after = await ws.call('query', 'probe.whoami');
    const seconds = (performance.now() - started) / 1000;
    const answered = ws.frames.filter((f) => f.includes('"PARSE_ERROR"')).length;
    expect(answered).toBeGreaterThanOrEqual(BURST - 1);
    expect(answered + (after.result ? 1 : 0)).toBeLessThanOrEqual(allowance(seconds) - 1);
    await ws.close();
  });

  test('stops that name no running subscription spend the budget too: only ending real work is free', async () => {
    const ws = await server.open();
    await ws.ok('query', 'probe.whoami');
    // Batches of stops for subscriptions that do not exist: parsed, answered with nothing.
    const stops = Array.from({ length: 20 }, (_, i) => ({ id: 10_000 + i, jsonrpc: '2.0', method: 'subscription.stop' }));
    for (let i = 0; i < FLOOD / 20; i++) ws.send(stops);
    const after = await ws.call('query', 'probe.whoami');
    expect(after.error?.data.code).toBe('TOO_MANY_REQUESTS');
    await ws.close();
  });
});
