import { afterEach, describe, expect, spyOn, test } from 'bun:test';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/log';
import { consoleMailer, createMailer, fileMailer, smtpMailer } from '../../../server/mail';
import { createTempDir } from '../../helpers/db';
import { parseMail } from '../../helpers/mail';

/**
 * Every backend delivers a real message: composed by nodemailer, read back
 * by a mail parser as a recipient's client would. The message carries what
 * a hand-built one got wrong: non-ASCII headers (an Arabic name and
 * subject) and a link longer than a mail line may be.
 */
const FROM = 'Statehouse <no-reply@statehouse.test>';
const LINK = `http://localhost:3000/password-reset/${'a'.repeat(32)}.${'b'.repeat(52)}`;
const MESSAGE = {
  to: '"سلمى" <salma@example.com>',
  subject: 'إعادة تعيين كلمة المرور — Statehouse',
  text: `مرحبا سلمى,\n\nOpen this link within 60 minutes:\n\n${LINK}\n`,
};
const silent = createLogger('silent');

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function expectTheMessage(raw: Buffer | string): Promise<void> {
  const mail = await parseMail(raw);
  expect(mail.from?.address).toBe('no-reply@statehouse.test');
  expect(mail.to?.[0]).toEqual({ name: 'سلمى', address: 'salma@example.com' });
  expect(mail.subject).toBe(MESSAGE.subject);
  expect(mail.text?.trimEnd()).toBe(MESSAGE.text.trimEnd());
  expect(mail.text).toContain(LINK);
}

describe('the file backend', () => {
  test('writes each message as a whole .eml file that decodes to what was sent', async () => {
    const dir = createTempDir('statehouse-mail-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const mailer = fileMailer(FROM, dir);
    await mailer.send(MESSAGE);
    await mailer.send({ ...MESSAGE, subject: 'second' });
    const files = readdirSync(dir);
    expect(files.filter((name) => name.endsWith('.eml'))).toHaveLength(2);
    expect(files.filter((name) => !name.endsWith('.eml'))).toEqual([]); // no partial file left behind
    const first = files.sort()[0]!;
    const raw = readFileSync(join(dir, first));
    // Headers travel encoded, as RFC 5322 wants: no raw UTF-8 in them, CRLF line ends.
    const head = raw.toString('latin1').split('\r\n\r\n')[0]!;
    expect(/[^\x00-\x7f]/.test(head)).toBe(false);
    expect(head).toContain('\r\nSubject: =?UTF-8?');
    await expectTheMessage(raw);
  });

  test('is what createMailer picks for MAIL_BACKEND=file', async () => {
    const dir = createTempDir('statehouse-mail-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const mailer = createMailer(loadConfig({ mail: { from: FROM } }, { MAIL_BACKEND: 'file', MAIL_FILE_DIR: dir }), silent);
    await mailer.send(MESSAGE);
    const [file] = readdirSync(dir);
    await expectTheMessage(readFileSync(join(dir, file!)));
  });
});

describe('the smtp backend', () => {
  /** A real SMTP server on a free loopback port, keeping what it receives. */
  async function startSmtpServer() {
    const received: { from: string; to: string[]; raw: Buffer }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            raw: Buffer.concat(chunks),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as { port: number };
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { port, received };
  }

  test('delivers the message to an SMTP server, envelope and content', async () => {
    const { port, received } = await startSmtpServer();
    const mailer = smtpMailer(FROM, `smtp://127.0.0.1:${port}`);
    cleanups.push(() => mailer.close?.());
    await mailer.send(MESSAGE);
    expect(received).toHaveLength(1);
    expect(received[0]!.from).toBe('no-reply@statehouse.test');
    expect(received[0]!.to).toEqual(['salma@example.com']);
    await expectTheMessage(received[0]!.raw);
  });

  test('a server that refuses the recipient fails the send, so the caller can log it', async () => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.server.address() as { port: number };
    const mailer = smtpMailer(FROM, `smtp://127.0.0.1:${port}`);
    cleanups.push(() => mailer.close?.());
    await expect(mailer.send(MESSAGE)).rejects.toThrow(/No such user here/);
  });
});

describe('the console backend', () => {
  test('prints the message readable, not MIME-encoded: the link can be followed as printed', async () => {
    const lines: string[] = [];
    await consoleMailer(FROM, (text) => lines.push(text), { showLinks: true }).send(MESSAGE);
    const printed = lines.join('\n');
    expect(printed).toContain(`Subject: ${MESSAGE.subject}`);
    expect(printed).toContain(`To: ${MESSAGE.to}`);
    expect(printed).toContain(LINK);
  });

  test('createMailer picks it by default and writes to stdout', async () => {
    const log = spyOn(console, 'log').mockImplementation(() => {});
    cleanups.push(() => log.mockRestore());
    await createMailer(loadConfig({ env: 'development' }, {}), silent).send(MESSAGE);
    expect(log.mock.calls.map((args) => args.join(' ')).join('\n')).toContain(LINK);
  });
});
