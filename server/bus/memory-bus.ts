import { deliverToListeners, type BusEvent, type IdentityBus, type IdentityListener } from './identity-bus';

/**
 * The in-process identity bus: `publish` resolves once every listener has
 * handled the event, so a logout's pushes are queued before its reply.
 *
 * @example
 * const bus = createMemoryBus();
 * bus.subscribe((event) => console.log(event.type));
 * await bus.publish({ type: 'users-changed', userIds: [1] });
 */
export function createMemoryBus(onError: (error: unknown) => void = console.error): IdentityBus {
  const listeners = new Set<IdentityListener>();
  return {
    publish(event: BusEvent): Promise<void> {
      return deliverToListeners(listeners, event, onError);
    },
    subscribe(listener: IdentityListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close(): Promise<void> {
      listeners.clear();
    },
  };
}
