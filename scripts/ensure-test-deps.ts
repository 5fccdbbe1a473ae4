/**
 * Makes sure the browser tests can run: Debian's chromium at /usr/bin/chromium.
 * Installs it with apt-get when missing and running as root; otherwise says
 * how to install it and fails.
 */
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() === 0) {
    console.log('Installing Debian chromium for the browser tests…');
    for (const cmd of [
      ['apt-get', 'update', '-qq'],
      ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', 'chromium'],
    ]) {
      const proc = Bun.spawnSync(cmd, { stdout: 'inherit', stderr: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (proc.exitCode !== 0) {
        console.error(`${cmd.join(' ')} failed`);
        process.exit(1);
      }
    }
  } else {
    console.error(`The browser tests need Chromium at ${CHROMIUM}: sudo apt-get install chromium (or set CHROMIUM_PATH).`);
    process.exit(1);
  }
}
