import type { IdentityEvent } from './identity-event';
import type { RecentRotations } from './recent-rotations';
import { invalidateSession, rotateSession, type Session, type SessionSettings, type SignInMethod, type WritesWithSession } from './session';
import type { SessionBackend } from './session-backend';

/** What a sign-in's rotation needs of the runtime. */
export interface RotationServices {
  readonly sessions: SessionBackend;
  readonly sessionSettings: SessionSettings;
  readonly rotations: RecentRotations;
  readonly bus: { publish(event: IdentityEvent): Promise<void> };
}

/**
 * The session step every sign-in method shares, over the socket
 * (`ctx.auth.startSession`) or over HTTP (`startSignIn`): a new session id
 * for `userId` (no fixation). As Django's `login()`, an anonymous visitor's
 * (or the same user's) data carries over; another user's session ends here
 * and hands none of its data on. The rotation is marked before the old
 * session goes, so a sibling tab that finds it gone follows it. `announce`
 * tells the old session's other tabs (`session-rotated`); the caller runs it
 * once the tab that signed in no longer counts as one of them. `alongside`
 * (the sign-in's own rows) is committed with the new session, in one
 * transaction when the sessions live in the app's database.
 */
export async function rotateForSignIn(
  services: RotationServices,
  previous: Session | null,
  userId: number,
  client: { userAgent: string; ip: string; signInMethod?: SignInMethod },
  alongside?: WritesWithSession,
): Promise<{ token: string; session: Session; written: readonly unknown[]; announce(): Promise<void> }> {
  const carried = previous && (previous.userId === null || previous.userId === userId) ? previous.id : null;
  if (previous) services.rotations.mark(previous.id, userId);
  if (previous && carried === null) await invalidateSession(services.sessions, previous.id);
  const { token, session, written } = await rotateSession(
    services.sessions,
    services.sessionSettings,
    carried,
    { userId, ...client },
    Date.now(),
    alongside,
  );
  if (previous) services.rotations.completed(previous.id, session.id);
  return {
    token,
    session,
    written,
    async announce() {
      if (previous) await services.bus.publish({ type: 'session-rotated', oldSessionId: previous.id, newSessionId: session.id, userId });
    },
  };
}
