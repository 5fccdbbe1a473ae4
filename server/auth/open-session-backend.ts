import type { Database } from '../../db/client';
import { ConfigError, redisNamesOf, sessionBackendProblems, sessionRedisUrlOf, type StatehouseConfig } from '../config';
import { createLibsqlSessionBackend } from './libsql-session-backend';
import { createRedisSessionBackend } from './redis-session-backend';
import type { SessionBackend } from './session-backend';
import type { UserModel } from './user-model';

/**
 * The backend `session.backend` names: the libSQL tables of `db`, or Redis at
 * `session.redisUrl` (else `busUrl`), connected before this resolves.
 *
 * @example
 * const sessions = await openSessionBackend(config, database.db, (error) => log.error('session backend failed', { error }));
 */
export async function openSessionBackend(
  config: Pick<StatehouseConfig, 'session' | 'busUrl' | 'redisPrefix'>,
  db: Database,
  onError?: (error: unknown) => void,
  userModel?: UserModel,
): Promise<SessionBackend> {
  if (config.session.backend === 'libsql') return createLibsqlSessionBackend(db, userModel);
  const url = sessionRedisUrlOf(config);
  if (!url) throw new ConfigError(sessionBackendProblems(config));
  return createRedisSessionBackend(url, db, { prefix: redisNamesOf(config).sessions, onError, userModel });
}
