import { resolveSession, snapshotDelta, snapshotOf } from '../bridge/event';
import type { Connection } from '../bridge/connection';
import { pushLanguageTo } from '../i18n/slice';
import type { Runtime } from '../runtime';
import { ANONYMOUS_SNAPSHOT, AUTH_SLICE, type ClientAction } from '../state/protocol';
import type { IdentityEvent } from './identity-bus';

/**
 * Makes every connection of this process follow an identity event: drop the
 * dead session from its cookie mirror and push the anonymous snapshot with
 * `clearAuthThenNavigate`, refresh the snapshot of a changed user, or push a
 * session's new language.
 */
export async function applyIdentityEvent(runtime: Runtime, event: IdentityEvent): Promise<void> {
  const { registry } = runtime;
  switch (event.type) {
    case 'sessions-ended':
      for (const id of event.sessionIds) for (const conn of registry.ofSession(id)) endSession(runtime, conn);
      return;
    case 'user-sessions-ended':
      for (const conn of registry.ofUser(event.userId)) {
        if (conn.sessionId !== event.exceptSessionId) endSession(runtime, conn);
      }
      return;
    case 'users-changed':
      await Promise.all(event.userIds.flatMap((id) => registry.ofUser(id)).map((conn) => refreshUser(runtime, conn)));
      return;
    case 'session-rotated':
      for (const conn of registry.ofSession(event.oldSessionId)) endSession(runtime, conn, false);
      return;
    case 'session-language': {
      // Only a language this process offers (processes of one site share the list).
      const { languages } = runtime.config;
      if (!languages.includes(event.language)) return;
      // The tab that chose it already shows it: pushLanguageTo sends only what differs.
      for (const conn of registry.ofSession(event.sessionId)) pushLanguageTo(conn, event.sessionId, event.language, languages);
      return;
    }
  }
}

function endSession(runtime: Runtime, conn: Connection, navigate = true): void {
  conn.dropSessionCookie(runtime.cookieName);
  runtime.registry.bind(conn, null, null);
  const changed = snapshotDelta(conn.authSnapshot, ANONYMOUS_SNAPSHOT);
  conn.authSnapshot = ANONYMOUS_SNAPSHOT;
  const { auth } = runtime.config;
  const actions: ClientAction[] = navigate
    ? [{ type: 'clearAuthThenNavigate', to: auth.logoutRedirectUrl ?? auth.loginUrl, preserveStorageKeys: auth.logoutPreserveStorageKeys }]
    : [];
  conn.push(changed ? { [AUTH_SLICE]: changed } : {}, actions);
}

async function refreshUser(runtime: Runtime, conn: Connection): Promise<void> {
  conn.forgetValidation();
  try {
    const { session, user } = await resolveSession(runtime, conn);
    if (!session) {
      endSession(runtime, conn);
      return;
    }
    runtime.registry.bind(conn, session.id, user?.id ?? null);
    const next = user ? await snapshotOf(runtime, user) : ANONYMOUS_SNAPSHOT;
    const changed = snapshotDelta(conn.authSnapshot, next);
    conn.authSnapshot = next;
    if (changed) conn.push({ [AUTH_SLICE]: changed }, []);
  } catch (error) {
    runtime.log.error('could not refresh a connection after a user change', { connection: conn.id, error });
  }
}
