import type { IdentityEvent } from '../auth/identity-event';

export type { IdentityEvent, SessionEndReason } from '../auth/identity-event';

export type IdentityListener = (event: IdentityEvent) => void | Promise<void>;

/**
 * Carries identity events between the code that changes identity and the
 * connections that must follow. The in-process bus serves one process; a
 * networked bus (Redis pub/sub) implements the same interface for several.
 */
export interface IdentityBus {
  publish(event: IdentityEvent): Promise<void>;
  subscribe(listener: IdentityListener): () => void;
  close(): Promise<void>;
}

/** Runs every listener on an event; a failing listener is reported, not fatal to the others. */
export async function deliverToListeners(
  listeners: ReadonlySet<IdentityListener>,
  event: IdentityEvent,
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
