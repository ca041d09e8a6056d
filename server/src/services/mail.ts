import nodemailer from 'nodemailer';
import type { Logger } from '../logger';

/** One message to one person, in plain text. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail through the operator's SMTP server (`SMTP_URL`), from `MAIL_FROM`. */
export interface Mail {
  /** Resolves once the SMTP server has taken the message; rejects with why it did not. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * Mail through nodemailer's SMTP transport: `smtp://` (STARTTLS when the server offers it) or
 * `smtps://`, with credentials in the URL. Undefined without `SMTP_URL`: Passgate then sends no
 * mail, and every link is given by hand.
 */
export function createMail(
  config: { smtpUrl: string | undefined; mailFrom: string | undefined },
  logger: Logger,
): Mail | undefined {
  if (!config.smtpUrl || !config.mailFrom) return undefined;
  const transport = nodemailer.createTransport(config.smtpUrl);
  const from = config.mailFrom;
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
      logger.info({ to: message.to, subject: message.subject }, 'mail sent');
    },
    close: () => transport.close(),
  };
}
