import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import Redis from 'ioredis';
import type { BusEvent, IdentityBus } from '../../../server/bus/identity-bus';
import { createRedisBus } from '../../../server/bus/redis-bus';
import { HAVE_REDIS, startRedis, type RedisServer } from '../../helpers/redis';
import { waitFor } from '../../helpers/wait-for';

const CHANNEL = 'statehouse:identity';

/**
 * What arrives over Redis comes from another process, or from anyone who can
 * write to Redis: each message is checked before a listener sees it.
 */
describe.skipIf(!HAVE_REDIS)('the Redis bus', () => {
  let redis: RedisServer;
  let raw: Redis;
  let bus: IdentityBus;
  const errors: string[] = [];
  const received: BusEvent[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    raw = new Redis(redis.url);
    bus = await createRedisBus(redis.url, { onError: (error) => errors.push(String(error)), maxMessageLength: 10_000 });
    bus.subscribe((event) => void received.push(event));
  });

  afterAll(async () => {
    await bus?.close();
    raw?.disconnect();
    await redis?.stop();
  });

  /** Publishes as another process would, then a marker: once it arrives, everything before it was handled. */
  async function sendThenMark(...messages: string[]): Promise<BusEvent[]> {
    const from = received.length;
    for (const message of messages) await raw.publish(CHANNEL, message);
    const marker: BusEvent = { type: 'users-changed', userIds: [Math.floor(Math.random() * 1e9)] };
    await raw.publish(CHANNEL, JSON.stringify({ origin: 'other-process', event: marker }));
    await waitFor(() => received.some((e) => JSON.stringify(e) === JSON.stringify(marker)), { what: 'the marker' });
    return received.slice(from).filter((e) => JSON.stringify(e) !== JSON.stringify(marker));
  }

  test('delivers a well-formed event from another process', async () => {
    const event: BusEvent = { type: 'sessions-ended', sessionIds: ['abc'], reason: 'revoked' };
    expect(await sendThenMark(JSON.stringify({ origin: 'other-process', event }))).toEqual([event]);
  });

  test('reports and drops what is not JSON, not an envelope, or an event of the wrong shape', async () => {
    errors.length = 0;
    const delivered = await sendThenMark(
      'not json at all',
      JSON.stringify({ event: { type: 'users-changed', userIds: [1] } }),
      JSON.stringify({ origin: 'x', event: { type: 'sessions-ended', sessionIds: 'every one', reason: 'logout' } }),
      JSON.stringify({ origin: 'x', event: { type: 'users-changed', userIds: ['1; DROP TABLE'] } }),
      JSON.stringify({ origin: 'x', event: { type: 'session-rotated', oldSessionId: '', newSessionId: 'b', userId: 1 } }),
      JSON.stringify({ origin: 'x', event: { type: 'session-language', sessionId: 's', language: 'x'.repeat(500) } }),
    );
    expect(delivered).toEqual([]);
    expect(errors).toHaveLength(6);
    expect(errors.slice(1).every((e) => e.includes('malformed bus message dropped'))).toBe(true);
  });

  test('drops a message over its length bound unread', async () => {
    errors.length = 0;
    const event = { type: 'sessions-ended', sessionIds: ['x'.repeat(20_000)], reason: 'logout' };
    expect(await sendThenMark(JSON.stringify({ origin: 'x', event }))).toEqual([]);
    expect(errors[0]).toContain('at most 10000');
  });

  test('ignores, without an error, an event type a newer version sends', async () => {
    errors.length = 0;
    expect(await sendThenMark(JSON.stringify({ origin: 'x', event: { type: 'from-the-future', anything: 1 } }))).toEqual([]);
    expect(errors).toEqual([]);
  });

  test('passes a push on for the receiving process to check against its own slices', async () => {
    const push = { type: 'push', target: { all: true }, delta: { notes: { anything: 1 } }, actions: [] };
    expect(await sendThenMark(JSON.stringify({ origin: 'x', event: push }))).toEqual([push as BusEvent]);
  });

  test('never hands a process its own messages back', async () => {
    const event: BusEvent = { type: 'users-changed', userIds: [77] };
    received.length = 0;
    await bus.publish(event);
    // Delivered once, locally, before the publish resolved.
    expect(received).toEqual([event]);
    await sendThenMark();
    expect(received.filter((e) => JSON.stringify(e) === JSON.stringify(event))).toHaveLength(1);
  });
});
