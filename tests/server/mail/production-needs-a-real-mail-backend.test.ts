import { afterEach, describe, expect, spyOn, test } from 'bun:test';
import { createStatehouse, loadConfig } from '../../../server';
import { ConfigError } from '../../../server/config';
import { createLogger } from '../../../server/log';
import { createMailer } from '../../../server/mail';
import { createTestDatabase, type TestDatabase } from '../../helpers/db';
import { dashboard, testRouter } from '../../helpers/server';

const silent = createLogger('silent');
const LINK = 'https://app.example/password-reset/abcdefghijklmnopqrstuvwx.abcdefghijklmnopqrstuvwxyz234567';
const RESET_MAIL = { to: 'alice@example.com', subject: 'Password reset', text: `Open this link:\n\n${LINK}\n` };

function configError(run: () => unknown): ConfigError | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

describe('a production start', () => {
  test('without MAIL_BACKEND, or with MAIL_BACKEND=console, is refused with an error naming MAIL_BACKEND', () => {
    for (const env of [{ NODE_ENV: 'production' }, { NODE_ENV: 'production', MAIL_BACKEND: 'console' }]) {
      const error = configError(() => loadConfig({}, env));
      expect(error).not.toBeNull();
      expect(error!.message).toContain('mail.backend');
      expect(error!.message).toContain('MAIL_BACKEND');
    }
    expect(configError(() => loadConfig({ env: 'production' }, {}))?.message).toContain('MAIL_BACKEND');
  });

  test('with smtp needs SMTP_URL, and starts with smtp or file', () => {
    expect(configError(() => loadConfig({}, { NODE_ENV: 'production', MAIL_BACKEND: 'smtp' }))?.message).toContain('SMTP_URL');
    expect(loadConfig({}, { NODE_ENV: 'production', MAIL_BACKEND: 'smtp', SMTP_URL: 'smtps://u:p@mail.example' }).mail.backend).toBe(
      'smtp',
    );
    expect(loadConfig({}, { NODE_ENV: 'production', MAIL_BACKEND: 'file' }).mail.backend).toBe('file');
  });

  describe('through createStatehouse with a config built by hand', () => {
    let db: TestDatabase | null = null;
    afterEach(() => db?.cleanup());

    test('is refused too, before anything is opened', async () => {
      db = await createTestDatabase();
      const config = { ...loadConfig({ env: 'test' }, {}), env: 'production' as const };
      const started = createStatehouse({ router: testRouter, config, slices: [dashboard], database: db, log: silent });
      await expect(started).rejects.toThrow(/MAIL_BACKEND/);
    });
  });
});

describe('the console mail backend', () => {
  function printed(env: 'development' | 'test'): Promise<string> {
    const log = spyOn(console, 'log').mockImplementation(() => {});
    const mailer = createMailer(loadConfig({ env }, {}), silent);
    return mailer.send(RESET_MAIL).then(() => {
      const text = log.mock.calls.map((args) => args.join(' ')).join('\n');
      log.mockRestore();
      return text;
    });
  }

  test('outside development prints the mail without a usable link or token', async () => {
    const text = await printed('test');
    expect(text).toContain('Password reset');
    expect(text).not.toContain('https://');
    expect(text).not.toContain('abcdefghijklmnopqrstuvwx');
  });

  test('in development prints the link, so a developer can follow it', async () => {
    expect(await printed('development')).toContain(LINK);
  });
});
