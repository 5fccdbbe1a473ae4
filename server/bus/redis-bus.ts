import Redis from 'ioredis';
import { deliverToListeners, type IdentityBus, type IdentityEvent, type IdentityListener } from './identity-bus';

export interface RedisBusOptions {
  /** Pub/sub channel shared by every process of one site. */
  channel?: string;
  onError?: (error: unknown) => void;
}

interface Envelope {
  origin: string;
  event: IdentityEvent;
}

const KNOWN_TYPES = new Set(['sessions-ended', 'users-changed', 'session-rotated', 'session-language']);

/**
 * The identity bus over Redis pub/sub, for several processes sharing one
 * database. `publish` runs this process's listeners first (so a logout's
 * pushes are queued before its reply, as with the in-process bus), then
 * tells the others; each process ignores its own messages coming back.
 * Events carry ids only: no token ever crosses Redis.
 *
 * @example
 * const bus = await createRedisBus('redis://127.0.0.1:6379');
 */
export async function createRedisBus(url: string, options: RedisBusOptions = {}): Promise<IdentityBus> {
  const channel = options.channel ?? 'statehouse:identity';
  const onError = options.onError ?? ((error: unknown) => console.error('identity bus:', error));
  const origin = crypto.randomUUID();
  const listeners = new Set<IdentityListener>();
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(url, { lazyConnect: true });
  publisher.on('error', onError);
  subscriber.on('error', onError);
  await Promise.all([publisher.connect(), subscriber.connect()]);

  const deliver = (event: IdentityEvent) => deliverToListeners(listeners, event, onError);

  subscriber.on('message', (_channel: string, message: string) => {
    let parsed: Envelope;
    try {
      parsed = JSON.parse(message) as Envelope;
    } catch (error) {
      onError(error);
      return;
    }
    if (parsed.origin === origin || !parsed.event || !KNOWN_TYPES.has(parsed.event.type)) return;
    void deliver(parsed.event);
  });
  await subscriber.subscribe(channel);

  return {
    async publish(event) {
      await deliver(event);
      await publisher.publish(channel, JSON.stringify({ origin, event } satisfies Envelope));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}
