import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, mailSettingsProblems, type StatehouseConfig } from '../config';
import { redact, type Logger } from '../log';
import type { MailMessage, Mailer } from './mailer';

export type { MailMessage, Mailer } from './mailer';

function toEml(from: string, message: MailMessage): string {
  const headers = [
    `From: ${from}`,
    `To: ${message.to}`,
    `Subject: ${message.subject}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${message.text.replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** Any absolute URL (a reset link, a sign-in link). */
const LINK = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;
const HIDDEN_LINK = '[link not printed outside development]';

/**
 * Prints each message (the development default). With `showLinks` off (any
 * environment but development) links and token-like strings are blanked: a
 * printed reset link would be usable by whoever reads the service's output.
 */
export function consoleMailer(from: string, write: (text: string) => void = console.log, { showLinks = false } = {}): Mailer {
  return {
    async send(message) {
      const shown = showLinks ? message : { ...message, text: redact(message.text.replace(LINK, HIDDEN_LINK)) };
      write(`--- mail ---\n${toEml(from, shown)}--- end of mail ---`);
    },
  };
}

/** Writes each message as an `.eml` file into `dir` (tests read links from there). */
export function fileMailer(from: string, dir: string): Mailer {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  let counter = 0;
  return {
    async send(message) {
      const name = `${Date.now()}-${process.pid}-${++counter}.eml`;
      await Bun.write(join(folder, name), toEml(from, message));
    },
  };
}

/** Sends through SMTP with nodemailer, from an `smtp://` or `smtps://` URL. */
export function smtpMailer(from: string, url: string): Mailer {
  let transport: Promise<import('nodemailer').Transporter> | null = null;
  return {
    async send(message) {
      transport ??= import('nodemailer').then((m) => m.createTransport(url));
      await (await transport).sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html });
    },
  };
}

/**
 * The mail backend chosen in config: `console`, `file` or `smtp`.
 *
 * @example
 * const mailer = createMailer(loadConfig({ mail: { backend: 'file', fileDir: 'data/mail' } }), log);
 */
export function createMailer(config: StatehouseConfig, log: Logger): Mailer {
  const { backend, from, fileDir, smtpUrl } = config.mail;
  switch (backend) {
    case 'file':
      return fileMailer(from, fileDir);
    case 'smtp':
      if (!smtpUrl) throw new ConfigError(mailSettingsProblems(config));
      return smtpMailer(from, smtpUrl);
    case 'console':
      // In development printed as is, not through the logger (which redacts token-like
      // strings): the console backend exists so a developer can follow the link.
      log.debug('mail backend: console');
      return consoleMailer(from, console.log, { showLinks: config.env === 'development' });
  }
}
