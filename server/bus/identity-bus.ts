/**
 * Identity changes that every connection bound to the affected session or
 * user must learn about at once, not on its next event.
 */
export type IdentityEvent =
  /** These sessions are gone (logout, revocation, password change). */
  | { type: 'sessions-ended'; sessionIds: string[]; reason: SessionEndReason }
  /** The user's row, permissions or groups changed: refresh snapshots and caches. */
  | { type: 'users-changed'; userIds: number[] }
  /** A session's identity changed in place (a login rotated it): other tabs of the old session follow. */
  | { type: 'session-rotated'; oldSessionId: string; newSessionId: string; userId: number | null }
  /** A session chose a language (`i18n.setLanguage`): its open tabs switch. */
  | { type: 'session-language'; sessionId: string; language: string };

export type SessionEndReason = 'logout' | 'revoked' | 'password-changed' | 'password-reset';

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
