/** `bun run db:migrate`: applies pending migrations to DATABASE_URL. */
import { loadConfig } from '../server/config';
import { redactUrl } from '../server/log';
import { openMigratedDatabase } from './client';

const config = loadConfig();
const handle = await openMigratedDatabase(config.databaseUrl, config.databaseAuthToken);
handle.close();
console.log(`Migrated ${redactUrl(config.databaseUrl)}`);
