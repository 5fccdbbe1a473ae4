import { mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { ConfigError, mailSettingsProblems, type StatehouseConfig } from '../config';
import { redact, type Logger } from '../log';
import type { MailMessage, Mailer } from './mailer';

export type { MailMessage, Mailer } from './mailer';

/** nodemailer's fields for one message: it encodes non-ASCII headers and long lines (RFC 2047, quoted-printable). */
function mailOptions(from: string, message: MailMessage): SendMailOptions {
  return { from, to: message.to, subject: message.subject, text: message.text, html: message.html };
}

/** Composes a message as an RFC 5322 `.eml` (CRLF line ends), without sending it. */
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

/**
 * The whole message as it would travel: headers encoded, body in its
 * transfer encoding.
 *
 * @example
 * const eml = await composeMail('Site <no-reply@site.example>', { to, subject, text });
 */
export async function composeMail(from: string, message: MailMessage): Promise<Buffer> {
  // `buffer: true`: the message is a Buffer, not a stream.
  return (await composer.sendMail(mailOptions(from, message))).message as Buffer;
}

/** Any absolute URL (a reset link, a sign-in link). */
const LINK = /\b[a-z][a-z0-9+.-]*:\/\/\S+/gi;
const HIDDEN_LINK = '[link not printed outside development]';

/**
 * Prints each message for a person to read (the development default):
 * sender, recipient, subject and the plain text, not its MIME encoding, so a
 * link can be followed as printed. With `showLinks` off (any environment but
 * development) links and token-like strings are blanked: a printed reset link
 * would be usable by whoever reads the service's output.
 */
export function consoleMailer(from: string, write: (text: string) => void = console.log, { showLinks = false } = {}): Mailer {
  return {
    async send(message) {
      const text = showLinks ? message.text : redact(message.text.replace(LINK, HIDDEN_LINK));
      write(`--- mail ---\nFrom: ${from}\nTo: ${message.to}\nSubject: ${message.subject}\n\n${text}\n--- end of mail ---`);
    },
  };
}

/**
 * Writes each message as an `.eml` file into `dir`, composed by nodemailer as
 * it would be sent. A file appears whole: it is written under a temporary
 * name and renamed, so a reader polling the folder never sees half a mail.
 */
export function fileMailer(from: string, dir: string): Mailer {
  const folder = resolve(dir);
  mkdirSync(folder, { recursive: true });
  let counter = 0;
  return {
    async send(message) {
      const name = `${Date.now()}-${process.pid}-${++counter}.eml`;
      const partial = join(folder, `.${name}.partial`);
      await Bun.write(partial, await composeMail(from, message));
      renameSync(partial, join(folder, name));
    },
  };
}

/** Sends through SMTP with nodemailer, from an `smtp://` or `smtps://` URL. */
export function smtpMailer(from: string, url: string): Mailer {
  let transport: Transporter | null = null;
  return {
    async send(message) {
      transport ??= nodemailer.createTransport(url);
      await transport.sendMail(mailOptions(from, message));
    },
    close() {
      transport?.close();
      transport = null;
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
