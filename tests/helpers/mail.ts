import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spyOn } from 'bun:test';
import PostalMime, { type Email } from 'postal-mime';
import type { MailMessage, Mailer } from '../../server/mail/mailer';

/**
 * Reads a mail as its recipient's client would: headers decoded (RFC 2047),
 * the body out of its transfer encoding (quoted-printable wraps long lines,
 * links included).
 *
 * @example
 * const mail = await parseMail(readFileSync(file));
 * mail.subject; mail.text;
 */
export function parseMail(raw: Buffer | string): Promise<Email> {
  return PostalMime.parse(raw);
}

/** The `.eml` files the file mail backend wrote into `dir`, oldest first (names start with the time). */
export function mailFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.eml'));
  } catch {
    return [];
  }
  return names.sort().map((name) => join(dir, name));
}

const RESET_LINK = /https?:\/\/\S+\/password-reset\/([a-z2-7]+\.[a-z2-7]+)/;

/**
 * The password-reset links mailed into `dir`, oldest first, with their
 * tokens; `null` for a mail without one.
 *
 * @example
 * await server.statehouse.runtime.background.drain(); // mails go out after the reply
 * const [first] = await resetLinksIn(mailDir);
 */
export function resetLinksIn(dir: string): Promise<({ link: string; token: string; to: string } | null)[]> {
  return linksIn(dir, RESET_LINK);
}

const SIGN_IN_LINK = /https?:\/\/\S+\/auth\/link\/([a-z2-7]+\.[a-z2-7]+)/;

/** The emailed sign-in links mailed into `dir`, oldest first, as {@link resetLinksIn}. */
export function signInLinksIn(dir: string): Promise<({ link: string; token: string; to: string } | null)[]> {
  return linksIn(dir, SIGN_IN_LINK);
}

async function linksIn(dir: string, pattern: RegExp): Promise<({ link: string; token: string; to: string } | null)[]> {
  return Promise.all(
    mailFilesIn(dir).map(async (file) => {
      const mail = await parseMail(readFileSync(file));
      const match = pattern.exec(mail.text ?? '');
      return match ? { link: match[0], token: match[1]!, to: mail.to?.map((address) => address.address).join(', ') ?? '' } : null;
    }),
  );
}

/**
 * The messages a server sends from now on, kept in memory instead of going
 * to its mail backend (restored with the test's spies).
 *
 * @example
 * const mails = captureMail(server.statehouse.runtime.mailer);
 * // … ask for a reset …
 * await server.statehouse.runtime.background.drain();
 * expect(mails.map((m) => m.to)).toEqual(['alice@example.com']);
 */
export function captureMail(mailer: Mailer): MailMessage[] {
  const mails: MailMessage[] = [];
  spyOn(mailer, 'send').mockImplementation(async (message) => {
    mails.push(message);
  });
  return mails;
}
