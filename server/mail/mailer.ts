/** An outgoing message. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends mail; backends: console, file, smtp (see `createMailer`). */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  /** Lets go of what the backend holds open (an SMTP connection); `stop()` calls it. */
  close?(): void | Promise<void>;
}
