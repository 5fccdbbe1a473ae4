import { z } from 'zod';
import type { AuthEvent } from '../auth/auth-api';
import type { Session } from '../auth/session';
import type { AuthUser } from '../auth/user';
import type { BackgroundTask } from '../background';
import type { Runtime } from '../runtime';
import { ActionList } from '../state/actions';
import { AUTH_SLICE, type AuthSnapshot, type ClientAction, type Delta } from '../state/protocol';
import { StateAccess } from '../state/state-access';
import { appActionsSchema } from '../state/app-actions';
import { snapshotDelta } from './auth-snapshots';
import type { Connection } from './connection';
import { SocketEventRequest } from './event-request';
import { EventIdentity } from './identity';
import type { SessionProxy } from './session-proxy';

/**
 * One event on one connection, as the bridge builds it: who it acts for
 * (`identity`), its request (`request`), the tab's session data
 * (`session`), slices (`state`) and client actions (`actions`). After the
 * handler, {@link collect} gives the delta: changed slice fields and the
 * refreshed auth snapshot. It is what `ctx.auth` acts through (`AuthEvent`).
 */
export class StateEvent implements AuthEvent {
  readonly identity: EventIdentity;
  readonly request: SocketEventRequest;
  readonly actions = new ActionList();
  readonly state: StateAccess;
  readonly session: SessionProxy;
  /** Work to start once this event has been answered (see {@link afterReply}). */
  deferred: BackgroundTask[] | null = null;

  constructor(
    readonly runtime: Runtime,
    readonly conn: Connection,
    path: string,
    type: string,
  ) {
    // Built on every event: no closures kept, nothing computed before it is read.
    this.identity = new EventIdentity(runtime, conn, this.actions);
    this.session = this.identity.session;
    this.request = new SocketEventRequest(this, conn, path, type);
    this.state = new StateAccess(conn, runtime.slices);
  }

  get user(): AuthUser {
    return this.identity.user;
  }

  get sessionRow(): Session | null {
    return this.identity.sessionRow;
  }

  /** Validates the session and binds the identity; synchronous when the connection's cache answers. */
  begin(): Promise<void> | undefined {
    return this.identity.begin();
  }

  adoptSession(token: string, session: Session, user: AuthUser | null): void {
    this.identity.adoptSession(token, session, user);
  }

  dropSession(): void {
    this.identity.dropSession();
  }

  reloadIdentity(): Promise<void> {
    return this.identity.reload();
  }

  clearAuthAction(boundSessionId: string | null, to?: string): ClientAction {
    return this.identity.clearAuthAction(boundSessionId, to);
  }

  cookieSyncActionFor(ticket: string, to: string | null): ClientAction {
    return this.identity.cookieSyncActionFor(ticket, to);
  }

  /**
   * Runs `task` in the background once this event's reply is written: what
   * it does (a lookup, a mail) cannot change how long the reply took.
   */
  afterReply(task: BackgroundTask): void {
    (this.deferred ??= []).push(task);
  }

  /**
   * Adds the client actions an app-wide hook answered (`hooks.onAuthFailed`,
   * `hooks.onPermissionDenied`) after the event's own. An answer that is not
   * a list of them (navigate to a path on this site, toast, reload) is
   * logged and left out: the refusal stands as it was.
   */
  addHookActions(hook: string, answer: unknown): void {
    if (answer === undefined || answer === null) return;
    const parsed = appActionsSchema.safeParse(answer);
    if (!parsed.success) {
      this.runtime.log.error('a hook answered something other than client actions; ignored', {
        hook,
        problem: z.prettifyError(parsed.error),
      });
      return;
    }
    for (const action of parsed.data) this.actions.add(action);
  }

  /**
   * After the handler: changed slice fields plus the refreshed auth snapshot.
   * Synchronous (no promise) when the user's snapshot is already known.
   */
  collect(): Delta | Promise<Delta> {
    const delta = this.state.collect();
    if (!this.runtime.config.auth.autoSync) return delta;
    const { snapshots } = this.runtime;
    const user = this.identity.user;
    const known = snapshots.known(user);
    if (known) return this.withSnapshot(delta, known);
    return snapshots.of(user).then((next) => this.withSnapshot(delta, next));
  }

  private withSnapshot(delta: Delta, next: AuthSnapshot): Delta {
    if (next !== this.conn.authSnapshot) {
      const changed = snapshotDelta(this.conn.authSnapshot, next);
      if (changed) delta[AUTH_SLICE] = changed;
      this.conn.authSnapshot = next;
    }
    return delta;
  }
}
