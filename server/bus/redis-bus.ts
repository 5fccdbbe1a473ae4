import Redis from 'ioredis';
import { readBusMessage, type BusEnvelope } from './bus-event';
import { deliverToListeners, type BusEvent, type IdentityBus, type IdentityListener } from './identity-bus';

export interface RedisBusOptions {
  /** Pub/sub channel shared by every process of one site. */
  channel?: string;
  onError?: (error: unknown) => void;
  /** Longer messages are dropped unread (default: 4 Mi characters). */
  maxMessageLength?: number;
}

const DEFAULT_MAX_MESSAGE_LENGTH = 4 * 1024 * 1024;

/**
 * The identity bus over Redis pub/sub, for several processes sharing one
 * database. `publish` runs this process's listeners first (so a logout's
 * pushes are queued before its reply, as with the in-process bus), then
 * tells the others; each process ignores its own messages coming back.
 * Identity events carry ids only: no token ever crosses Redis. What arrives
 * is checked (`readBusMessage`) before any listener sees it: a malformed or
 * oversized message is reported and dropped.
 *
 * @example
 * const bus = await createRedisBus('redis://127.0.0.1:6379');
 */
export async function createRedisBus(url: string, options: RedisBusOptions = {}): Promise<IdentityBus> {
  const channel = options.channel ?? 'statehouse:identity';
  const onError = options.onError ?? ((error: unknown) => console.error('identity bus:', error));
  const maxLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  const origin = crypto.randomUUID();
  const listeners = new Set<IdentityListener>();
  const publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const subscriber = new Redis(url, { lazyConnect: true });
  publisher.on('error', onError);
  subscriber.on('error', onError);
  await Promise.all([publisher.connect(), subscriber.connect()]);

  const deliver = (event: BusEvent) => deliverToListeners(listeners, event, onError);

  subscriber.on('message', (_channel: string, message: string) => {
    if (message.length > maxLength) {
      onError(new Error(`bus message of ${message.length} characters dropped (at most ${maxLength})`));
      return;
    }
    const read = readBusMessage(message);
    if (read instanceof Error) onError(read);
    else if (read !== null && read.origin !== origin) void deliver(read.event);
  });
  await subscriber.subscribe(channel);

  return {
    async publish(event) {
      await deliver(event);
      await publisher.publish(channel, JSON.stringify({ origin, event } satisfies BusEnvelope));
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
