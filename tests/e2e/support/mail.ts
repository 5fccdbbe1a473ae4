import { readFileSync } from 'node:fs';
import { mailFilesIn, parseMail } from '../../helpers/mail';

const POLL_MS = 50;

/** The `.eml` files of the file mail backend, oldest first. */
export const mailFiles = mailFilesIn;

/**
 * Waits for a new mail (beyond the `seen` first ones) and answers the
 * password reset link in it. The server runs in another process: its
 * mails are polled for, not drained.
 *
 * @example
 * const before = mailFiles(server.mailDir).length;
 * // … ask for a reset …
 * const link = await waitForResetLink(server.mailDir, before);
 */
export function waitForResetLink(dir: string, seen: number, timeoutMs = 10_000): Promise<{ link: string; to: string }> {
  return waitForMailLink(dir, seen, '/password-reset/', timeoutMs);
}

/** Waits for a new mail (beyond the `seen` first ones) and answers its link whose path starts with `path`. */
export async function waitForMailLink(dir: string, seen: number, path: string, timeoutMs = 10_000): Promise<{ link: string; to: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = mailFiles(dir);
    if (files.length > seen) {
      const mail = await parseMail(readFileSync(files.at(-1)!));
      const text = mail.text ?? '';
      const link = text.split(/\s+/).find((word) => /^https?:\/\//.test(word) && new URL(word).pathname.startsWith(path));
      const to = mail.to?.map((address) => address.address).join(', ') ?? '';
      if (!link) throw new Error(`No ${path} link in the newest mail:\n${text}`);
      return { link, to };
    }
    if (Date.now() > deadline) throw new Error(`No new mail in ${dir}`);
    await Bun.sleep(POLL_MS);
  }
}
