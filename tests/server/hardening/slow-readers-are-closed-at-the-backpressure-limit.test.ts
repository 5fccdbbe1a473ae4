import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Socket } from 'bun';
import type { Connection } from '../../../server/bridge/connection';
import { startTestServer, type TestServer } from '../../helpers/server';

const BACKPRESSURE_LIMIT = 256 * 1024;
/** One push of this size is far below the limit; only an unread pile of them reaches it. */
const PUSH_BYTES = 32 * 1024;
/** Give up long after any kernel socket buffers are full. */
const MAX_PUSHED_BYTES = 512 * 1024 * 1024;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ socket: { backpressureLimitBytes: BACKPRESSURE_LIMIT } });
});
afterAll(async () => {
  await server.stop();
});

/** A masked client text frame (an all-zero mask leaves the payload as is). */
function clientFrame(text: string): Uint8Array {
  const payload = new TextEncoder().encode(text);
  const header = payload.length < 126 ? [0x81, 0x80 | payload.length] : [0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff];
  return new Uint8Array([...header, 0, 0, 0, 0, ...payload]);
}

/**
 * A WebSocket client written by hand over a raw TCP socket: it upgrades,
 * starts the state subscription, then stops reading (`pause()`), so every
 * byte the server sends piles up in kernel buffers and then in the server's
 * own send buffer.
 */
async function openNonReadingClient(url: string) {
  const { host } = new URL(url);
  const [hostname, port] = host.split(':') as [string, string];
  let received = '';
  let closed = false;
  let onData: () => void = () => {};
  const socket: Socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data(_s, chunk) {
        received += new TextDecoder('latin1').decode(chunk);
        onData();
      },
      close() {
        closed = true;
        onData();
      },
      end() {
        closed = true;
        onData();
      },
      error() {
        closed = true;
        onData();
      },
    },
  });
  const until = (predicate: () => boolean, timeoutMs = 5000) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(predicate()), timeoutMs);
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          resolve(true);
        }
      };
      onData = check;
      check();
    });
  socket.write(
    `GET /trpc?connectionParams=1 HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${btoa('slow-reader-key!')}\r\nSec-WebSocket-Version: 13\r\nOrigin: ${url}\r\n\r\n`,
  );
  await until(() => received.includes('\r\n\r\n'));
  const status = received.split('\r\n')[0];
  socket.write(clientFrame(JSON.stringify({ method: 'connectionParams', data: { tabId: 'slow-reader-tab', path: '/', query: '' } })));
  socket.write(clientFrame(JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'subscription', params: { path: 'statehouse.state' } })));
  // The first push (every slice in full) proves the subscription runs.
  await until(() => received.includes('"full":true'));
  return {
    status,
    socket,
    get closed() {
      return closed;
    },
    until,
  };
}

function onlyConnection(): Connection {
  const all = [...server.statehouse.runtime.registry.all];
  expect(all).toHaveLength(1);
  return all[0]!;
}

describe('a client that never reads', () => {
  test('is closed once the server’s send buffer passes socket.backpressureLimitBytes, and leaves the registry', async () => {
    const client = await openNonReadingClient(server.url);
    expect(client.status).toContain('101');
    const conn = onlyConnection();
    client.socket.pause();

    const blob = 'x'.repeat(PUSH_BYTES);
    let pushed = 0;
    let n = 0;
    while (server.statehouse.runtime.registry.sizes().connections > 0 && pushed < MAX_PUSHED_BYTES) {
      conn.push({ dashboard: { tab: `${n++}`, lastPath: blob } }, []);
      pushed += PUSH_BYTES;
      // Let the subscription turn the push into a frame.
      await Bun.sleep(0);
    }
    expect(pushed).toBeLessThan(MAX_PUSHED_BYTES);
    expect(conn.closed).toBe(true);
    expect(server.statehouse.runtime.registry.sizes()).toMatchObject({ connections: 0, sessions: 0, users: 0 });
    // More than the limit went out before the close (kernel buffers take their share first).
    expect(pushed).toBeGreaterThan(BACKPRESSURE_LIMIT);

    // Once it reads again, the client finds its connection closed by the server.
    client.socket.resume();
    expect(await client.until(() => client.closed, 10_000)).toBe(true);
  }, 60_000);

  test('a client that keeps reading gets the same pushes and stays open', async () => {
    const ws = await server.open();
    await ws.subscribeState();
    const conn = onlyConnection();
    const blob = 'x'.repeat(PUSH_BYTES);
    const total = (4 * BACKPRESSURE_LIMIT) / PUSH_BYTES;
    for (let i = 0; i < total; i++) {
      conn.push({ dashboard: { tab: `${i}`, lastPath: blob } }, []);
      await ws.waitForPushes(i + 2, 10_000);
    }
    expect(conn.closed).toBe(false);
    expect((await ws.ok('query', 'probe.whoami')).data.isAuthenticated).toBe(false);
    await ws.close();
  }, 60_000);
});
