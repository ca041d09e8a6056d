import { admin } from './admin';
import { type HttpAnswer, http, type TestTenant } from './tenant';

export interface Invite {
  user: { id: string; email: string; role: 'admin' | 'staff' };
  inviteUrl: string;
  expiresAt: string;
}

/** A dashboard user signed in through the API: their cookie, and calls made with it. */
export interface Session {
  user: Invite['user'];
  email: string;
  password: string;
  /** `passgate_session=…`, as the browser sends it. */
  cookie: string;
  /** A call with the session's cookie, from the dashboard's own origin (unless told otherwise). */
  call(path: string, init?: Parameters<typeof http>[1]): Promise<HttpAnswer>;
}

let counter = 0;
export const uniqueEmail = (what = 'user') =>
  `${what}.${Date.now()}.${process.pid}.${++counter}@example.com`;

/** Invites a user of the tenant with the admin CLI (`pnpm admin user create`). */
export function inviteUser(
  tenant: TestTenant,
  options: { email?: string; role?: 'admin' | 'staff'; name?: string } = {},
): Promise<Invite> {
  const argv = ['user', 'create', '--tenant', tenant.id, '--email', options.email ?? uniqueEmail()];
  if (options.role) argv.push('--role', options.role);
  if (options.name) argv.push('--name', options.name);
  return admin<Invite>(tenant.server.env, ...argv);
}

export const inviteToken = (inviteUrl: string) => new URL(inviteUrl).hash.replace(/^#invite=/, '');

/** The session cookie a `Set-Cookie` answer carries, as `name=value`. */
export function sessionCookieOf(answer: HttpAnswer): string {
  const cookie = answer.headers.getSetCookie().find((line) => line.startsWith('passgate_session='));
  if (!cookie) throw new Error(`no session cookie in the answer (${answer.status} ${answer.text})`);
  return cookie.split(';')[0] as string;
}

/** A session for a client of `serverUrl` holding `cookie`. */
export function sessionOf(
  serverUrl: string,
  user: Invite['user'],
  email: string,
  password: string,
  cookie: string,
): Session {
  return {
    user,
    email,
    password,
    cookie,
    call: (path, init = {}) =>
      http(`${serverUrl}/api/v1${path}`, {
        ...init,
        headers: { cookie, origin: serverUrl, ...init.headers },
      }),
  };
}

/** Invites a user, sets their password through the invitation, and keeps the session it starts. */
export async function signedInUser(
  tenant: TestTenant,
  options: { role?: 'admin' | 'staff' } = {},
): Promise<Session> {
  const email = uniqueEmail(options.role ?? 'admin');
  const invite = await inviteUser(tenant, { email, role: options.role ?? 'admin' });
  const password = 'correct horse battery';
  const accepted = await http(`${tenant.apiUrl}/invites/accept`, {
    json: { token: inviteToken(invite.inviteUrl), password },
  });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${accepted.text}`);
  return sessionOf(tenant.server.url, invite.user, email, password, sessionCookieOf(accepted));
}
