import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { vi } from 'vitest';

/** A local SMTP server that keeps every message it is given, parsed. */
export async function startMailbox() {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          done();
        },
        (error: Error) => done(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** Waits until `predicate` holds for what was received, and answers what was. */
    async waitFor(predicate: (mails: ParsedMail[]) => boolean, ms = 15_000) {
      await vi.waitUntil(() => predicate(received), { timeout: ms, interval: 20 });
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The dashboard link a mail carries. */
export const linkIn = (mail: ParsedMail) =>
  /https?:\/\/\S+\/dashboard\/#invite=[\w-]+/.exec(mail.text ?? '')?.[0];
