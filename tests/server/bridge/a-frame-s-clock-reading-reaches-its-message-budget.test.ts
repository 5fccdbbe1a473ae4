import { describe, expect, test } from 'bun:test';
import { initTRPC, TRPCError } from '@trpc/server';
import { SocketProtocol, type MessageMeter, type SocketSink } from '../../../server/bridge/socket-protocol';

/**
 * A frame's message budget spends at the clock reading the transport took
 * when it received the frame (or reached it in its queue), so an event reads
 * the clock once; the connection says when its context is settled, which is
 * when the transport stops holding its frames back.
 */
const t = initTRPC.context<{ tab: string }>().create();
const router = t.router({ hello: t.procedure.query(() => 'hi') });

function connect(expectParams: boolean, createContext: () => Promise<{ tab: string }> = async () => ({ tab: 'a' })) {
  const readings: (number | undefined)[] = [];
  const sent: string[] = [];
  const meter: MessageMeter = {
    take(now) {
      readings.push(now);
      return true;
    },
    retryAfter: () => 1,
  };
  const sink: SocketSink = { readyState: 1, send: (frame) => sent.push(frame), close() {} };
  const protocol = new SocketProtocol<{ tab: string }>({ router, maxBatchSize: 5 });
  const conn = protocol.connect(sink, expectParams, { createContext }, meter);
  return { conn, readings, sent };
}

describe('a frame’s clock reading', () => {
  test('reaches the message budget for a call, a batch, a PING and a frame that does not parse', async () => {
    const { conn, readings, sent } = connect(false);
    conn.message(JSON.stringify({ id: 1, method: 'query', params: { path: 'hello', input: undefined } }), 12.5);
    conn.message(
      JSON.stringify([
        { id: 2, method: 'query', params: { path: 'hello' } },
        { id: 3, method: 'query', params: { path: 'hello' } },
      ]),
      13,
    );
    conn.message('PING', 14);
    conn.message('{not json', 15);
    expect(readings).toEqual([12.5, 13, 13, 14, 15]);
    await Bun.sleep(5);
    expect(sent.filter((frame) => frame.includes('"hi"'))).toHaveLength(3);
  });

  test('is left to the budget when the transport took none', () => {
    const { conn, readings } = connect(false);
    conn.message(JSON.stringify({ id: 1, method: 'query', params: { path: 'hello' } }));
    expect(readings).toEqual([undefined]);
  });
});

describe('settled', () => {
  test('is false until the connection params are in and the context is built', async () => {
    let build: (ctx: { tab: string }) => void = () => {};
    const { conn } = connect(true, () => new Promise((resolve) => (build = resolve)));
    expect(conn.settled).toBe(false);
    conn.message(JSON.stringify({ method: 'connectionParams', data: { tab: 'a' } }));
    expect(conn.settled).toBe(false);
    build({ tab: 'a' });
    await Bun.sleep(0);
    expect(conn.settled).toBe(true);
  });

  test('is true once the context failed, and at once without connection params', async () => {
    const failing = connect(true, async () => {
      throw new TRPCError({ code: 'UNAUTHORIZED' });
    });
    failing.conn.message(JSON.stringify({ method: 'connectionParams', data: {} }));
    await Bun.sleep(0);
    expect(failing.conn.settled).toBe(true);
    const plain = connect(false, async () => ({ tab: 'b' }));
    await Bun.sleep(0);
    expect(plain.conn.settled).toBe(true);
  });
});
