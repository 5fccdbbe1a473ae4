import type { Database } from '../../db/client';
import type { StatehouseConfig } from '../config';
import type { Logger } from '../log';
import type { IdentityEvent } from './identity-event';
import { invalidateUserSessions } from './session';
import type { SessionBackend } from './session-backend';
import { deleteUserRow } from './users';

/** What deleting a user needs of the runtime. */
export interface DeleteUserServices {
  readonly config: Pick<StatehouseConfig, 'hooks'>;
  readonly db: Database;
  readonly sessions: SessionBackend;
  readonly bus: { publish(event: IdentityEvent): Promise<void> };
  readonly log: Logger;
}

/**
 * Deletes a user the one way Statehouse does, for the user's own **Delete
 * account** and an admin's **Delete user** alike: `hooks.onDeleteUser` first
 * (the app's own rows; throwing stops the deletion), then `afterHook` (the
 * calling tab lets go of the session), then every session with its data, the
 * user's tokens and the user; the user's open tabs on every process are
 * signed out at once.
 *
 * @example
 * await deleteUserEverywhere(runtime, user.id);
 */
export async function deleteUserEverywhere(services: DeleteUserServices, userId: number, afterHook?: () => void): Promise<void> {
  const { config, db, sessions, bus, log } = services;
  await config.hooks.onDeleteUser?.({ userId });
  afterHook?.();
  const ended = await invalidateUserSessions(sessions, userId);
  await deleteUserRow(db, userId);
  if (ended.length > 0) await bus.publish({ type: 'sessions-ended', sessionIds: ended, reason: 'account-deleted' });
  log.info('account deleted', { userId });
}
