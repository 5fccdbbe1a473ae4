import { afterEach, describe, expect, test } from 'bun:test';
import type { StatehouseConfigInput } from '../../../server';
import { createUser } from '../../../server/auth/users';
import { createLogger } from '../../../server/log';
import { createTempDir, TEST_HASHING, TEST_RULES } from '../../helpers/db';
import { resetLinksIn } from '../../helpers/mail';
import { startTestServer, type TestServer } from '../../helpers/server';

let server: TestServer;
let mailDir: string;
const lines: string[] = [];
afterEach(async () => {
  await server.stop();
});

async function start(config: StatehouseConfigInput = {}) {
  mailDir = createTempDir('statehouse-mail-');
  lines.length = 0;
  // Every host let in (`*`): the link rules must hold on their own, even where allowedHosts is off.
  server = await startTestServer(
    { mail: { backend: 'file', fileDir: mailDir }, allowedHosts: ['*'], ...config },
    { log: createLogger('info', (line) => void lines.push(line)) },
  );
  const created = await createUser(
    server.db.db,
    { username: 'alice', email: 'alice@example.com' },
    { hashing: TEST_HASHING, rules: TEST_RULES },
  );
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
}

/** Asks for a reset over a socket whose upgrade named `host` (a non-browser client can name any). */
async function requestResetAs(host: string): Promise<unknown> {
  const ws = await server.open({ origin: `http://${host}`, headers: { host } });
  try {
    return (await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' })).data;
  } finally {
    await ws.close();
  }
}

/** The links mailed so far, once the work after the replies has finished. */
async function mailedLinks(): Promise<string[]> {
  await server.statehouse.runtime.background.drain();
  return (await resetLinksIn(mailDir)).map((mailed) => mailed?.link ?? '');
}

describe('password reset links', () => {
  test('a forged Host never becomes the host of a mailed link: without publicUrl nothing is mailed, and the log says why', async () => {
    await start();
    expect(await requestResetAs('evil.example')).toEqual({ sent: true });
    expect(await requestResetAs('203.0.113.66:8080')).toEqual({ sent: true });
    expect(await mailedLinks()).toEqual([]);
    expect(lines.some((l) => l.includes('password reset not mailed') && l.includes('publicUrl'))).toBe(true);
  });

  test('with publicUrl set, links always point there, whatever Host the request named', async () => {
    await start({ publicUrl: 'https://app.example' });
    await requestResetAs('evil.example');
    const [link] = await mailedLinks();
    expect(link).toStartWith('https://app.example/password-reset/');
  });

  test('an origin on the allow-list, or this machine, is trusted for links when publicUrl is unset', async () => {
    await start({ allowedOrigins: ['http://app.example'] });
    await requestResetAs('app.example');
    const ws = await server.open();
    await ws.ok('mutation', 'auth.requestPasswordReset', { email: 'alice@example.com' });
    await ws.close();
    const links = await mailedLinks();
    expect(links).toHaveLength(2);
    expect(links.some((l) => l.startsWith('http://app.example/password-reset/'))).toBe(true);
    expect(links.some((l) => l.startsWith(`${server.url}/password-reset/`))).toBe(true);
  });
});
