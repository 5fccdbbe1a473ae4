import type { IdentityEvent } from '../auth/identity-event';
import type { PushEvent } from './push-event';

export type { IdentityEvent, SessionEndReason } from '../auth/identity-event';

/** What travels on the bus: identity changes, and pushes from jobs, webhooks, the CLI or another process. */
export type BusEvent = IdentityEvent | PushEvent;

export type IdentityListener = (event: BusEvent) => void | Promise<void>;

/**
 * Carries identity events and pushes between the code that makes them and
 * the connections that must follow. The in-process bus serves one process; a
 * networked bus (Redis pub/sub) implements the same interface for several.
 */
export interface IdentityBus {
  publish(event: BusEvent): Promise<void>;
  subscribe(listener: IdentityListener): () => void;
  close(): Promise<void>;
}

/** Runs every listener on an event; a failing listener is reported, not fatal to the others. */
export async function deliverToListeners(
  listeners: ReadonlySet<IdentityListener>,
  event: BusEvent,
  onError: (error: unknown) => void,
): Promise<void> {
  await Promise.all(
    [...listeners].map(async (listener) => {
      try {
        await listener(event);
      } catch (error) {
        onError(error);
      }
    }),
  );
}
