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

export type SessionEndReason = 'logout' | 'revoked' | 'password-changed' | 'password-reset' | 'account-deleted';
