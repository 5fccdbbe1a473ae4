/** `bun run db:migrate`: applies pending migrations to DATABASE_URL. */
import { openMigratedDatabase } from '../../db/client';
import { loadConfig } from '../config';
import { redactUrl } from '../log';

const config = loadConfig();
const handle = await openMigratedDatabase(config.databaseUrl, config.databaseAuthToken);
handle.close();
console.log(`Migrated ${redactUrl(config.databaseUrl)}`);
