import { sessionTag } from '../auth/session';
import { snapshotDelta } from '../bridge/auth-snapshots';
import { clearAuthAction } from '../bridge/identity';
import { resolveSession } from '../bridge/session-cache';
import type { Connection } from '../bridge/connection';
import { LANGUAGE_COOKIE, matchLanguage } from '../i18n/negotiate';
import { I18N_SLICE, languageStateOf } from '../i18n/slice';
import type { Runtime } from '../runtime';
import { accessSlice } from '../state/admin-slices';
import { ANONYMOUS_SNAPSHOT, AUTH_SLICE, type ClientAction, type Delta } from '../state/protocol';
import { applySlicePatch } from '../state/slice-patch';
import { applyPush } from './apply-push';
import type { BusEvent, IdentityEvent } from './identity-bus';

/**
 * Makes every connection of this process follow a bus event: drop the dead
 * session from its cookie mirror and push the anonymous snapshot with
 * `clearAuthThenNavigate`, tell the tabs of a rotated session to follow it
 * (`followSession`), refresh the snapshot of a changed user, push a
 * session's new language, or apply a push (`apply-push.ts`).
 */
export async function applyBusEvent(runtime: Runtime, event: BusEvent): Promise<void> {
  const { registry } = runtime;
  // Validations begun before an identity change are not shared past it.
  if (event.type === 'sessions-ended' || event.type === 'users-changed' || event.type === 'session-rotated') {
    registry.validations.identityChanged();
  }
  switch (event.type) {
    case 'sessions-ended':
      for (const id of event.sessionIds) for (const conn of registry.ofSession(id)) endSession(runtime, conn);
      return;
    case 'users-changed':
      await Promise.all(event.userIds.flatMap((id) => registry.ofUser(id)).map((conn) => refreshUser(runtime, conn)));
      return;
    case 'session-rotated':
      for (const conn of registry.ofSession(event.oldSessionId)) followRotation(runtime, conn, event);
      return;
    case 'session-language': {
      // Only a language this process offers (processes of one site share the list).
      const { languages } = runtime.config;
      registry.validations.languageChanged(event.sessionId);
      if (!languages.includes(event.language)) return;
      // The tab that chose it already shows it: pushLanguageTo sends only what differs.
      for (const conn of registry.ofSession(event.sessionId)) pushLanguageTo(conn, event.sessionId, event.language, languages);
      return;
    }
    case 'push':
      applyPush(runtime, event);
      return;
  }
}

function endSession(runtime: Runtime, conn: Connection): void {
  const boundTo = conn.sessionId;
  conn.dropSessionCookie(runtime.cookieName);
  runtime.registry.bind(conn, null, null);
  const changed = snapshotDelta(conn.authSnapshot, ANONYMOUS_SNAPSHOT);
  conn.authSnapshot = ANONYMOUS_SNAPSHOT;
  conn.push(changed ? { [AUTH_SLICE]: changed } : {}, [clearAuthAction(runtime, boundTo)]);
}

/**
 * Another tab rotated this connection's session. The connection lets go of
 * the old cookie (its events are anonymous until it reconnects, and ask for
 * no logout) but is not moved onto the new session: only a socket opened
 * with the browser's new cookie gets it, so a stolen copy of the old cookie
 * does not follow a password change. The tab keeps its snapshot on screen
 * and is told to reconnect once the browser holds the new cookie; with a
 * reload when another user signed in.
 */
function followRotation(runtime: Runtime, conn: Connection, event: Extract<IdentityEvent, { type: 'session-rotated' }>): void {
  const reload = conn.userId !== null && conn.userId !== event.userId;
  conn.dropSessionCookie(runtime.cookieName);
  runtime.registry.bind(conn, null, null);
  const action: ClientAction = { type: 'followSession', session: sessionTag(event.newSessionId), reload };
  conn.push({}, [action]);
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
    const next = user ? await runtime.snapshots.of(user) : ANONYMOUS_SNAPSHOT;
    const changed = snapshotDelta(conn.authSnapshot, next);
    conn.authSnapshot = next;
    // Pages that show what a permission allows read again (`access` slice).
    const delta: Delta = { [accessSlice.name]: bumpAccess(conn) };
    if (changed) delta[AUTH_SLICE] = changed;
    conn.push(delta, []);
  } catch (error) {
    runtime.log.error('could not refresh a connection after a user change', { connection: conn.id, error });
  }
}

/**
 * Moves the connection's `access` revision on; returns the changed field. A
 * patch of the slice, so a tab whose stashed slices are still on their way
 * back (from Redis) moves their revision on too, instead of landing back on it.
 */
function bumpAccess(conn: Connection): Record<string, unknown> {
  return conn.patchSlice(accessSlice.name, accessSlice, nextRevision) ?? {};
}

function nextRevision(values: Record<string, unknown>): Record<string, unknown> {
  return { revision: Number(values.revision ?? 0) + 1 };
}

/**
 * Pushes a session's new language to another open tab of that session (its
 * own language cookie, if any, still wins).
 */
function pushLanguageTo(conn: Connection, sessionId: string, code: string, languages: readonly string[]): void {
  conn.rememberSessionLanguage(sessionId, code);
  const effective = matchLanguage(conn.cookies.get(LANGUAGE_COOKIE), languages) ?? code;
  const values = conn.slices.get(I18N_SLICE);
  if (!values) return;
  const changed = applySlicePatch(values, languageStateOf(effective));
  if (changed) conn.push({ [I18N_SLICE]: changed }, []);
}
