/**
 * The example app's entry: `bun run dev` (watch mode, client rebuilt on
 * change) and `bun run start` (production). Creates and migrates the
 * embedded database on first start.
 */
import { watch } from 'node:fs';
import { resolve } from 'node:path';
import { count } from 'drizzle-orm';
import { buildClient } from '../client/build';
import { users } from '../db/schema';
import {
  clientSourceMaps,
  createLogger,
  createStatehouse,
  languageProcessor,
  loadConfig,
  redactUrl,
  siteProcessor,
  userSnapshotProcessor,
} from './index';
import { notesApi } from './app/notes-api';
import { appRouter, appSlices, userModel } from './app/router';

const config = loadConfig({
  languages: ['en', 'ar'],
  // Sign-up mails a link; the banner asks until it is opened (docs/account-security.md).
  auth: { emailVerification: 'required' },
  // Settings → Security offers an authenticator app; production needs TWO_FACTOR_KEY.
  twoFactor: { enabled: true },
  contextProcessors: [siteProcessor, languageProcessor, userSnapshotProcessor],
});
const log = createLogger(config.logLevel);
const dev = config.env === 'development';
// CLIENT_DIR gives a process its own build (the browser tests run several servers from one checkout).
const clientDir = resolve(process.env.CLIENT_DIR ?? resolve(import.meta.dir, '../dist/client'));

// Production publishes no source maps unless CLIENT_SOURCE_MAPS is on; the server then serves none either.
const sourcemap = clientSourceMaps(config) ? 'linked' : 'none';
await buildClient({ outdir: clientDir, minify: !dev, sourcemap });

const statehouse = await createStatehouse({
  router: appRouter,
  config,
  slices: appSlices,
  user: userModel,
  clientDir,
  log,
  http: notesApi,
});
const { url } = await statehouse.listen(config.port, process.env.HOST ?? '127.0.0.1');
console.log(`Statehouse is running at ${url} (${config.env}, database ${redactUrl(config.databaseUrl)})`);

const [row] = await statehouse.runtime.db.select({ n: count() }).from(users);
if (dev && (row?.n ?? 0) === 0) {
  console.log(
    'No users yet. Create one with:\n' +
      '  bun run manage createuser alice --email alice@example.com\n' +
      'or load the demo users with: bun run db:seed',
  );
}

if (dev) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  watch(resolve(import.meta.dir, '../client'), { recursive: true }, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      buildClient({ outdir: clientDir, minify: false, sourcemap })
        .then(() => log.info('client rebuilt'))
        .catch((error: unknown) => log.error('client build failed', { error }));
    }, 100);
  });
}

async function shutdown(signal: string) {
  log.info(`${signal}: shutting down`);
  await statehouse.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
