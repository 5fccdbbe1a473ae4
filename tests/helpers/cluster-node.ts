/**
 * One Statehouse process for multi-process tests: the test router on
 * DATABASE_URL, with BUS_URL when set. Prints `READY <url>` once listening.
 */
import { createStatehouse, loadConfig } from '../../server';
import { createLogger } from '../../server/log';
import { dashboard, testRouter } from './server';

const config = loadConfig({ env: 'test', logLevel: 'warn', port: 0 });
const statehouse = await createStatehouse({ router: testRouter, config, slices: [dashboard], log: createLogger(config.logLevel) });
const { url } = await statehouse.listen(0);
console.log(`READY ${url}`);

process.on('SIGTERM', () => {
  void statehouse.stop().then(() => process.exit(0));
});
