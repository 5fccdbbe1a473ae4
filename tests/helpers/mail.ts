import PostalMime, { type Email } from 'postal-mime';

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
