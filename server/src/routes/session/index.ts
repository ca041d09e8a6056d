import { getConnInfo } from '@hono/node-server/conninfo';
import { createRoute } from '@hono/zod-openapi';
import { AcceptInviteBody, SignedIn, SignInBody } from '@passgate/shared';
import type { Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { decoyHash, hashPassword, verifyPassword } from '../../domain/passwords';
import { ApiError } from '../../errors';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody } from '../support';
import { presentSignedIn } from './present';
import {
  endSession,
  findUserByEmail,
  type InviteFailure,
  redeemInvite,
  SESSION_COOKIE,
  SESSION_MAX_MS,
  startSession,
} from './queries';

/** Failed sign-ins allowed per email, and per client address, in each window. */
const FAILURES_PER_EMAIL = 5;
const FAILURES_PER_ADDRESS = 20;
const FAILURE_WINDOW_SECONDS = 15 * 60;
const WRONG_CREDENTIALS = 'Wrong email or password';

const signIn = createRoute({
  method: 'post',
  path: '/session',
  tags: ['Users'],
  summary: 'Sign in',
  description:
    'Sets the session cookie (HttpOnly, SameSite=Lax). A session ends after 12 hours idle or ' +
    '7 days. Failures are throttled per email and per client address: 429 with Retry-After.',
  security: [],
  request: { body: jsonBody(SignInBody) },
  responses: {
    200: json(SignedIn, 'Signed in; the cookie is set'),
    ...errorResponses(400, 401, 403, 415, 429),
  },
});

const acceptInvite = createRoute({
  method: 'post',
  path: '/invites/accept',
  tags: ['Users'],
  summary: 'Set a password from an invitation, and sign in',
  description: 'The token is the `#invite=` of the link. It works once, for 7 days.',
  security: [],
  request: { body: jsonBody(AcceptInviteBody) },
  responses: {
    200: json(SignedIn, 'Password set and signed in; the cookie is set'),
    ...errorResponses(400, 403, 404, 410, 415, 429),
  },
});

const signOut = createRoute({
  method: 'delete',
  path: '/session',
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

const clientAddress = (c: Context) => {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

/** Sign-in and invitations: mounted ahead of authentication, as their caller has no session yet. */
export function sessionRoutes({ db, publicUrl, rateLimits }: Services) {
  const byEmail = rateLimits.failures('sign-in-email', FAILURES_PER_EMAIL, FAILURE_WINDOW_SECONDS);
  const byAddress = rateLimits.failures(
    'sign-in-address',
    FAILURES_PER_ADDRESS,
    FAILURE_WINDOW_SECONDS,
  );
  return createRouter()
    .openapi(signIn, async (c) => {
      const { email, password } = c.req.valid('json');
      const emailName = email.toLowerCase();
      const address = clientAddress(c);
      const waitMs = Math.max(
        ...(await Promise.all([byEmail.blockedFor(emailName), byAddress.blockedFor(address)])),
      );
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        throw new ApiError(
          429,
          `Too many failed sign-ins: try again in ${Math.ceil(seconds / 60)} min`,
          { 'Retry-After': String(seconds) },
        );
      }
      const user = await findUserByEmail(db, email);
      // Checked against a decoy for an unknown email, so both failures take as long.
      const matches = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
      if (!user?.password_hash || !matches) {
        await Promise.all([byEmail.failed(emailName), byAddress.failed(address)]);
        throw new ApiError(401, WRONG_CREDENTIALS);
      }
      if (user.disabled_at) throw new ApiError(403, 'This account is disabled');
      await byEmail.clear(emailName);
      const session = await startSession(db, user.id);
      setSessionCookie(c, publicUrl, session.token);
      return c.json(presentSignedIn(user), 200);
    })
    .openapi(acceptInvite, async (c) => {
      const { token, password, name } = c.req.valid('json');
      const passwordHash = await hashPassword(password);
      const answer = await db.transaction().execute(async (trx) => {
        const redeemed = await redeemInvite(trx, token, passwordHash, name);
        if (!redeemed.ok) throw INVITE_FAILURES[redeemed.failure]();
        const session = await startSession(trx, redeemed.user.id);
        return { user: redeemed.user, token: session.token };
      });
      setSessionCookie(c, publicUrl, answer.token);
      return c.json(presentSignedIn(answer.user), 200);
    });
}

/** `DELETE /session`: after authentication, as it ends the caller's own session. */
export function signOutRoutes({ db }: Services) {
  return createRouter().openapi(signOut, async (c) => {
    const { user } = c.get('caller');
    if (!user)
      throw new ApiError(400, 'Only a signed-in session can sign out; revoke a key instead');
    await endSession(db, user.sessionHash);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  });
}
