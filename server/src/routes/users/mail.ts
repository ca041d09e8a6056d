import type { UserInvite } from '@passgate/shared';
import type { Logger } from '../../logger';
import type { Mail, MailMessage } from '../../services/mail';

const untilText = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** An invitation to the dashboard, as mailed to the person invited. */
export const invitationMail = (invite: UserInvite, tenantName: string): MailMessage => ({
  to: invite.user.email,
  subject: `You are invited to ${tenantName} on Passgate`,
  text: [
    `You are invited to work with ${tenantName}'s passes in the Passgate dashboard.`,
    '',
    'Open this link to choose your password and sign in:',
    '',
    invite.inviteUrl,
    '',
    `It works once, until ${untilText(invite.expiresAt)}.`,
  ].join('\n'),
});

/** A link to choose a new password, as mailed to someone who asked for one. */
export const passwordLinkMail = (invite: UserInvite, tenantName: string): MailMessage => ({
  to: invite.user.email,
  subject: 'Choose a new Passgate password',
  text: [
    `A new password was asked for ${invite.user.email} at ${tenantName}. Open this link to choose one:`,
    '',
    invite.inviteUrl,
    '',
    `It works once, until ${untilText(invite.expiresAt)}. Your password stays as it is until the link is used; if you did not ask for it, ignore this mail.`,
  ].join('\n'),
});

/** Sends a message, logging rather than failing when the SMTP server does not take it. */
export async function mailOrLog(mail: Mail, logger: Logger, message: MailMessage) {
  try {
    await mail.send(message);
  } catch (error) {
    logger.warn({ err: error, to: message.to, subject: message.subject }, 'mail not sent');
  }
}
