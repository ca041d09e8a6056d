import { z } from '@hono/zod-openapi';
import { AcceptInviteBody, PasswordLinkBody, SignedIn, SignInBody } from '@passgate/shared';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { ACCESS, defineRoute } from '../../access';
import { endSession, SESSION_COOKIE, SESSION_MAX_MS, startSession } from '../../domain/sessions';
import { ApiError } from '../../errors';
import type { Services } from '../../services';
import type { AttemptSubject } from '../../services/attempt-throttle';
import { createRouter, errorResponses, json, jsonBody } from '../support';
import { mailOrLog, passwordLinkMail } from '../users/mail';
import { presentInvite } from '../users/present';
import { startInvite } from '../users/queries';
import { presentSignedIn } from './present';
import { findInvite, findUserByEmail, type InviteFailure, redeemInvite } from './queries';

const WRONG_CREDENTIALS = 'Wrong email or password';

/**
 * Sign-ins counted per email and per client address (see `createAttemptThrottle`): the first 5
 * of an email and 20 of an address in 15 minutes go at once, each further one waits longer
 * before its password is checked. An email's attempts are checked one at a time, at most 4 open.
 */
const byEmail = (email: string): AttemptSubject => ({
  kind: 'sign-in-email',
  name: email.toLowerCase(),
  free: 5,
  atOnce: 4,
  oneByOne: true,
  onSuccess: 'clear',
});
const byAddress = (kind: string, address: string, free: number): AttemptSubject => ({
  kind,
  name: address,
  free,
  atOnce: 16,
  onSuccess: 'forgive',
});

const signIn = defineRoute({
  method: 'post',
  path: '/session',
  operationId: 'signIn',
  access: ACCESS.anyone,
  tags: ['Users'],
  summary: 'Sign in',
  description:
    'Sets the session cookie (HttpOnly, SameSite=Lax). A session ends after 12 hours idle or ' +
    '7 days. Past 5 attempts of an email or 20 of a client address in 15 minutes, each further ' +
    'one is answered later (1 s, doubling, at most 30 s); a right password is never refused ' +
    'for them. 429 with Retry-After when 4 attempts of one email are open at once.',
  security: [],
  request: { body: jsonBody(SignInBody) },
  responses: {
    200: json(SignedIn, 'Signed in; the cookie is set'),
    ...errorResponses(400, 401, 403, 415, 429),
  },
});

const acceptInvite = defineRoute({
  method: 'post',
  path: '/invites/accept',
  operationId: 'acceptInvite',
  access: ACCESS.anyone,
  tags: ['Users'],
  summary: 'Set a password from an invitation, and sign in',
  description:
    'The token is the `#invite=` of the link. It works once, for 7 days. Past 10 unknown or ' +
    'spent links from a client address in 15 minutes, each further try is answered later.',
  security: [],
  request: { body: jsonBody(AcceptInviteBody) },
  responses: {
    200: json(SignedIn, 'Password set and signed in; the cookie is set'),
    ...errorResponses(400, 403, 404, 410, 415, 429),
  },
});

const passwordLink = defineRoute({
  method: 'post',
  path: '/session/password-link',
  operationId: 'mailPasswordLink',
  access: ACCESS.anyone,
  tags: ['Users'],
  summary: 'Mail a link to choose a new password',
  description:
    'Where the server mails (it has SMTP_URL): if a user has this email, a new sign-in link is ' +
    'mailed to it, replacing any unused one; their password stays until the link is used. The ' +
    'answer is the same whether or not anyone has the email. Without mail, 501: an admin makes ' +
    'the link on the Users page. Counted like sign-ins, per email and per address.',
  security: [],
  request: { body: jsonBody(PasswordLinkBody) },
  responses: {
    202: json(z.object({ success: z.literal(true) }), 'Mailed, if anyone has the email'),
    ...errorResponses(400, 415, 429, 501),
  },
});

const signOut = defineRoute({
  method: 'delete',
  path: '/session',
  operationId: 'signOut',
  access: ACCESS.team,
  tags: ['Users'],
  summary: 'Sign out',
  description: 'Ends the calling session and clears its cookie.',
  responses: { 204: { description: 'Signed out' }, ...errorResponses(400, 401, 403, 429) },
});

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const sessionOperations = { signIn, acceptInvite, signOut };

const INVITE_FAILURES: Record<InviteFailure, () => ApiError> = {
  unknown: () => new ApiError(404, 'Unknown invitation link: ask an admin for a new one'),
  used: () =>
    new ApiError(410, 'This invitation link was used already: ask an admin for a new one'),
  expired: () => new ApiError(410, 'This invitation link has expired: ask an admin for a new one'),
  disabled: () => new ApiError(403, 'This account is disabled'),
};

/** The session cookie: HttpOnly, SameSite=Lax, Secure behind https, for at most 7 days. */
function setSessionCookie(c: Context, publicUrl: string, token: string) {
  setCookie(c, SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: publicUrl.startsWith('https://'),
    maxAge: SESSION_MAX_MS / 1000,
  });
}

/** Signing in, taking an invitation (both open to anyone) and signing out. */
export function sessionRoutes({
  db,
  callers,
  publicUrl,
  throttle,
  passwords,
  clientAddress,
  mail,
  logger,
}: Services) {
  return createRouter()
    .openapi(signIn, async (c) => {
      const { email, password } = c.req.valid('json');
      const address = clientAddress(c);
      const user = await throttle.attempt(
        [byEmail(email), byAddress('sign-in-address', address, 20)],
        async () => {
          const found = await findUserByEmail(db, email);
          // Checked against a decoy for an unknown email, so every failure takes as long; a
          // disabled account says no more than a wrong password, right password or not.
          const matches = await passwords.verify(password, found?.password_hash);
          if (!found || !matches || found.disabled_at) throw new ApiError(401, WRONG_CREDENTIALS);
          return found;
        },
      );
      const session = await startSession(db, user.id);
      setSessionCookie(c, publicUrl, session.token);
      return c.json(presentSignedIn(user), 200);
    })
    .openapi(acceptInvite, async (c) => {
      const { token, password, name } = c.req.valid('json');
      const answer = await throttle.attempt(
        [byAddress('invite-address', clientAddress(c), 10)],
        async () => {
          // The link first: a made-up token is refused without hashing anything.
          const found = await findInvite(db, token);
          if (!found.ok) throw INVITE_FAILURES[found.failure]();
          const passwordHash = await passwords.hash(password);
          const redeemed = await db.transaction().execute(async (trx) => {
            const redeemed = await redeemInvite(trx, token, passwordHash, name);
            if (!redeemed.ok) throw INVITE_FAILURES[redeemed.failure]();
            const session = await startSession(trx, redeemed.user.id);
            return { user: redeemed.user, token: session.token };
          });
          // The user's other sessions ended: here at once, elsewhere by the notification.
          callers.invalidate();
          return redeemed;
        },
      );
      setSessionCookie(c, publicUrl, answer.token);
      return c.json(presentSignedIn(answer.user), 200);
    })
    .openapi(passwordLink, async (c) => {
      const { email } = c.req.valid('json');
      if (!mail) {
        throw new ApiError(
          501,
          'This Passgate sends no email: ask an admin of your organisation for a new sign-in link (Users page)',
        );
      }
      await throttle.attempt(
        [byEmail(email), byAddress('sign-in-address', clientAddress(c), 20)],
        async () => {
          const user = await findUserByEmail(db, email);
          if (!user || user.disabled_at) return;
          const invitation = await db.transaction().execute((trx) => startInvite(trx, user.id));
          // Not awaited: the answer takes as long whether or not anyone has the email.
          void mailOrLog(
            mail,
            logger,
            passwordLinkMail(presentInvite(publicUrl, user, invitation, true), user.tenant_name),
          );
        },
      );
      return c.json({ success: true as const }, 202);
    })
    .openapi(signOut, async (c) => {
      const { user } = c.get('caller');
      if (!user)
        throw new ApiError(400, 'Only a signed-in session can sign out; revoke a key instead');
      await endSession(db, user.sessionHash);
      // Forgotten here at once; other servers hear it from the database within moments.
      callers.invalidate();
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    });
}
