import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedDataDir } from '../support/data-dir';
import { failedStart } from '../support/failed-start';
import { linkIn, startMailbox } from '../support/mailbox';
import { type RunningServer, startServer } from '../support/server';
import { createTenant, http, type TestTenant } from '../support/tenant';
import { inviteToken, type Session, signedInUser, uniqueEmail } from '../support/users';

// Mail through the operator's SMTP server: a local one here, which keeps what it is given.

let mailbox: Awaited<ReturnType<typeof startMailbox>>;
let server: RunningServer;
let tenant: TestTenant;
let admin: Session;

beforeAll(async () => {
  mailbox = await startMailbox();
  server = await startServer({
    dataDir: migratedDataDir(),
    env: { SMTP_URL: mailbox.url, MAIL_FROM: 'Passgate <passes@example.com>' },
  });
  tenant = await createTenant({ server });
  admin = await signedInUser(tenant);
});
afterAll(async () => {
  await server?.stop();
  await mailbox?.close();
});

const mailsTo = (email: string) =>
  mailbox.received.filter((m) => m.to && JSON.stringify(m.to).includes(email));

describe('mail', () => {
  it('mails an invitation to the person invited, from MAIL_FROM', async () => {
    const email = uniqueEmail('mailed');
    const invited = await admin.call('/users', { json: { email, role: 'staff' } });
    expect(invited.status).toBe(201);
    expect(invited.body.mailed).toBe(true);
    await mailbox.waitFor(() => mailsTo(email).length === 1);
    const [mail] = mailsTo(email);
    expect(mail?.from?.value).toEqual([{ name: 'Passgate', address: 'passes@example.com' }]);
    expect(mail?.subject).toMatch(/^You are invited to .+ on Passgate$/);
    expect(linkIn(mail!)).toBe(invited.body.inviteUrl);
  });

  it('mails a link to choose a new password, and says the same for an email nobody has', async () => {
    const link = (email: string) =>
      http(`${tenant.apiUrl}/session/password-link`, { json: { email } });
    const nobody = await link('nobody.here@example.com');
    expect(nobody.status).toBe(202);
    expect(nobody.body).toEqual({ success: true });
    const asked = await link(admin.email.toUpperCase());
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual({ success: true });
    await mailbox.waitFor(() => mailsTo(admin.email).length === 1);
    const [mail] = mailsTo(admin.email);
    expect(mail?.subject).toBe('Choose a new Passgate password');
    // The one asked for an existing email came; none went to the other, asked first.
    expect(mailsTo('nobody.here@example.com')).toEqual([]);
    // The password stays until the link is used; the link then sets a new one.
    const signIn = (password: string) =>
      http(`${tenant.apiUrl}/session`, { json: { email: admin.email, password } });
    expect((await signIn(admin.password)).status).toBe(200);
    const accepted = await http(`${tenant.apiUrl}/invites/accept`, {
      json: { token: inviteToken(linkIn(mail!) as string), password: 'a brand new password' },
    });
    expect(accepted.status).toBe(200);
    expect((await signIn(admin.password)).status).toBe(401);
    expect((await signIn('a brand new password')).status).toBe(200);
  });

  it('without SMTP_URL, says to ask an admin; SMTP_URL needs MAIL_FROM', async () => {
    const plain = await createTenant();
    const refused = await http(`${plain.apiUrl}/session/password-link`, {
      json: { email: 'someone@example.com' },
    });
    expect(refused.status).toBe(501);
    expect(refused.body.error).toMatch(/^This Passgate sends no email: ask an admin/);
    expect(failedStart({ SMTP_URL: mailbox.url })).toContain('MAIL_FROM: set MAIL_FROM');
  });
});
