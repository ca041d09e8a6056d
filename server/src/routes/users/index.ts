import { z } from '@hono/zod-openapi';
import { CreateUserBody, Pagination, UpdateUserBody, User, UserInvite } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { ApiError, notFound } from '../../errors';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { invitationMail, mailOrLog } from './mail';
import { presentInvite, presentUser } from './present';
import { findUser, insertUser, listUsers, startInvite, updateUser } from './queries';

const UserParams = z.object({ userId: z.string().max(100) });

const list = defineRoute({
  method: 'get',
  path: '/users',
  operationId: 'listUsers',
  access: ACCESS.admins,
  tags: ['Users'],
  summary: 'List the dashboard users',
  description: 'Admins only.',
  request: { query: z.object(Pagination) },
  responses: { 200: json(z.array(User), 'Oldest first'), ...errorResponses(400, 401, 403, 429) },
});

const create = defineRoute({
  method: 'post',
  path: '/users',
  operationId: 'createUser',
  access: ACCESS.admins,
  tags: ['Users'],
  summary: 'Invite a user',
  description:
    'Admins only. Answers a one-time link, valid for 7 days, where the person sets a password.',
  request: { body: jsonBody(CreateUserBody) },
  responses: {
    201: json(UserInvite, 'The user and their invitation link'),
    ...errorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

const update = defineRoute({
  method: 'patch',
  path: '/users/{userId}',
  operationId: 'updateUser',
  access: ACCESS.admins,
  tags: ['Users'],
  summary: 'Change a user’s name or role, or disable them',
  description: 'Admins only. Disabling ends all of the user’s sessions at once.',
  request: { params: UserParams, body: jsonBody(UpdateUserBody) },
  responses: { 200: json(User, 'The user'), ...errorResponses(400, 401, 403, 404, 415, 429) },
});

const invite = defineRoute({
  method: 'post',
  path: '/users/{userId}/invite',
  operationId: 'inviteUser',
  access: ACCESS.admins,
  tags: ['Users'],
  summary: 'Make a fresh invitation link',
  description:
    'Admins only. For a lost link or a forgotten password: the old link stops working, and ' +
    'setting a password through the new one ends the user’s sessions.',
  request: { params: UserParams },
  responses: {
    200: json(UserInvite, 'The user and their new link'),
    ...errorResponses(401, 403, 404, 409, 422, 429),
  },
});

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const userOperations = { list, create, update, invite };

export function userRoutes({ db, callers, publicUrl, mail, logger }: Services) {
  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { rows, total, estimated } = await listUsers(db, c.get('caller').tenant.id, query);
      setPaginationHeaders(c, publicUrl, {
        total,
        estimated,
        page: query.page,
        limit: query.limit,
      });
      return c.json(rows.map(presentUser), 200);
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const user = await insertUser(trx, tenantId, body);
        if (!user) throw new ApiError(409, 'email: a user with this email exists already');
        const invitation = await startInvite(trx, user.id);
        return {
          status: 201 as const,
          body: presentInvite(publicUrl, user, invitation, mail !== undefined),
        };
      });
      if (mail) {
        await mailOrLog(mail, logger, invitationMail(answer.body, c.get('caller').tenant.name));
      }
      return c.json(answer.body, answer.status);
    })
    .openapi(update, async (c) => {
      const { userId } = c.req.valid('param');
      const changes = c.req.valid('json');
      const caller = c.get('caller');
      if (caller.user?.id === userId && (changes.disabled || changes.role === 'staff')) {
        throw new ApiError(400, 'You cannot disable yourself or give up your own admin role');
      }
      const user = await db.transaction().execute(async (trx) => {
        const found = await findUser(trx, caller.tenant.id, userId);
        if (!found) throw notFound('User');
        return updateUser(trx, found, changes);
      });
      // The user's sessions see the change here at once, elsewhere by the notification.
      callers.invalidate();
      return c.json(presentUser(user), 200);
    })
    .openapi(invite, async (c) => {
      const { userId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const user = await findUser(trx, tenantId, userId);
        if (!user) throw notFound('User');
        if (user.disabled_at) throw new ApiError(409, 'This user is disabled: enable them first');
        const invitation = await startInvite(trx, user.id);
        return {
          status: 200 as const,
          body: presentInvite(publicUrl, user, invitation, mail !== undefined),
        };
      });
      if (mail) {
        await mailOrLog(mail, logger, invitationMail(answer.body, c.get('caller').tenant.name));
      }
      return c.json(answer.body, answer.status);
    });
}
