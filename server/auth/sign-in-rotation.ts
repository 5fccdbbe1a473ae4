import type { IdentityEvent } from './identity-event';
import type { RecentRotations } from './recent-rotations';
import { rotateSession, type Session, type SessionSettings, type SignInMethod, type WritesWithSession } from './session';
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
 * and hands none of its data on, deleted with the commit. The rotation is
 * marked before the old session goes, so a sibling tab that finds it gone
 * follows it; the mark is withdrawn when the rotation fails. `announce`
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
  // Marked before the commit: a sibling tab may check its session between the
  // commit and the code after it. Withdrawn if nothing was stored.
  if (previous) services.rotations.mark(previous.id, userId);
  let stored = false;
  let rotated: Awaited<ReturnType<typeof rotateSession>>;
  try {
    rotated = await rotateSession(services.sessions, services.sessionSettings, carried, { userId, ...client }, Date.now(), alongside, {
      // Another user's session ends with the commit, not before: a failed sign-in leaves it as it was.
      ends: previous && carried === null ? previous.id : null,
      stored: (session) => {
        stored = true;
        if (previous) services.rotations.completed(previous.id, session.id);
      },
    });
  } catch (error) {
    if (previous && !stored) services.rotations.withdraw(previous.id);
    throw error;
  }
  const { token, session, written } = rotated;
  return {
    token,
    session,
    written,
    async announce() {
      if (previous) await services.bus.publish({ type: 'session-rotated', oldSessionId: previous.id, newSessionId: session.id, userId });
    },
  };
}
