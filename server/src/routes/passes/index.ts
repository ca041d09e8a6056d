import { z } from '@hono/zod-openapi';
import {
  CreatedPass,
  CreatePassBody,
  Pagination,
  Pass,
  PassListItem,
  PassStatusAnswer,
  UpdatePassBody,
} from '@passgate/shared';
import { reportedStatus, type ScannablePass } from '@passgate/shared/core';
import type { Context } from 'hono';
import type { Transaction } from 'kysely';
import { ACCESS, defineRoute } from '../../access';
import type { Database } from '../../db/schema';
import { ApiError, notFound } from '../../errors';
import { recordEvents } from '../../events';
import type { ApiEnv, Caller } from '../../middleware/env';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { assertBelowTenantLimit } from '../limits';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { createPasses } from './create';
import { passCsvOperations, passCsvRoutes } from './csv-routes';
import { PassFilters } from './filters';
import {
  presentCreatedPass,
  presentPass,
  presentPassListItem,
  presentPassStatus,
  statusChangeEvents,
} from './present';
import { findPass, findPassForUpdate, listPasses, updatePass } from './queries';

const PassParams = z.object({ passId: z.string().max(100) });

const list = defineRoute({
  method: 'get',
  path: '/passes',
  operationId: 'listPasses',
  access: ACCESS.team,
  tags: ['Passes'],
  summary: 'List passes',
  request: {
    query: z.object({ ...PassFilters, ...Pagination }),
  },
  responses: {
    200: json(z.array(PassListItem), 'Newest first; X-Total-Count and Link headers paginate'),
    ...errorResponses(400, 401, 403, 429),
  },
});

const create = defineRoute({
  method: 'post',
  path: '/passes',
  operationId: 'createPass',
  access: ACCESS.team,
  tags: ['Passes'],
  summary: 'Create a pass',
  description: 'Emits `pass.created` (and `client.created` when `clientName` creates a client).',
  request: { body: jsonBody(CreatePassBody) },
  responses: {
    201: json(CreatedPass, 'The new pass'),
    ...errorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

const get = defineRoute({
  method: 'get',
  path: '/passes/{passId}',
  operationId: 'getPass',
  access: ACCESS.team,
  tags: ['Passes'],
  summary: 'Get a pass',
  request: { params: PassParams },
  responses: {
    200: json(Pass, 'The pass with its fields and client'),
    ...errorResponses(401, 403, 404, 429),
  },
});

const update = defineRoute({
  method: 'patch',
  path: '/passes/{passId}',
  operationId: 'updatePass',
  access: ACCESS.team,
  tags: ['Passes'],
  summary: 'Update a pass',
  description: '`customFields` replaces all fields. A status change emits `pass.status_changed`.',
  request: { params: PassParams, body: jsonBody(UpdatePassBody) },
  responses: {
    200: json(Pass, 'The updated pass'),
    ...errorResponses(400, 401, 403, 404, 415, 429),
  },
});

const statusRoute = (action: 'activate' | 'revoke') =>
  defineRoute({
    method: 'post',
    path: `/passes/{passId}/${action}`,
    operationId: `${action}Pass`,
    access: ACCESS.team,
    tags: ['Passes'],
    summary: action === 'activate' ? 'Activate a pass' : 'Revoke a pass',
    description: `400 if the pass is already ${action === 'activate' ? 'active' : 'revoked'}. Emits \`pass.status_changed\`.`,
    request: { params: PassParams },
    responses: {
      200: json(PassStatusAnswer, 'The new status'),
      ...errorResponses(400, 401, 403, 404, 409, 422, 429),
    },
  });

const activate = statusRoute('activate');
const revoke = statusRoute('revoke');

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const passOperations = {
  list,
  create,
  get,
  update,
  activate,
  revoke,
  ...passCsvOperations,
};

/**
 * Why activate or revoke has nothing to do. A pass may read `expired` or `used` while its stored
 * status is `active`: activating cannot change that, and the message says what would.
 */
function alreadyMessage(pass: ScannablePass, status: 'active' | 'revoked', now: Date) {
  const already = `Pass is already ${status}`;
  if (status !== 'active') return already;
  switch (reportedStatus(pass, now)) {
    case 'expired':
      return `${already}; it reads expired because its validUntil has passed: PATCH validUntil to let it in again`;
    case 'used':
      return `${already}; it reads used because its usagesCount reached maxUsages: PATCH maxUsages to let it in again`;
    default:
      return already;
  }
}

export function passRoutes(services: Services) {
  const { db, publicUrl } = services;
  /** Locks the pass, applies the patch, and records the status change it causes. */
  async function changePass(
    trx: Transaction<Database>,
    caller: Caller,
    passId: string,
    patch: UpdatePassBody,
    now: Date,
    options: { refuseSameStatus?: boolean } = {},
  ) {
    const before = await findPassForUpdate(trx, caller.tenant.id, passId);
    if (!before) throw notFound('Pass');
    // activate and revoke, unlike PATCH, must change the status.
    if (options.refuseSameStatus && before.status === patch.status) {
      throw new ApiError(400, alreadyMessage(before, patch.status, now));
    }
    await updatePass(trx, before, patch, now);
    const after = await findPass(trx, caller.tenant.id, passId);
    if (!after) throw new Error(`Pass ${passId} vanished inside the transaction that updated it`);
    await recordEvents(
      trx,
      caller.tenant.id,
      statusChangeEvents(before, after, publicUrl, now),
      now,
    );
    return after;
  }

  async function setStatus(c: Context<ApiEnv>, passId: string, status: 'active' | 'revoked') {
    const answer = await commitChange(c, db, async (trx) => {
      const now = new Date();
      const after = await changePass(trx, c.get('caller'), passId, { status }, now, {
        refuseSameStatus: true,
      });
      return { status: 200 as const, body: presentPassStatus(after, now) };
    });
    return c.json(answer.body, answer.status);
  }

  return createRouter()
    .route('/', passCsvRoutes(services))
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const now = new Date();
      const { rows, total } = await listPasses(db, c.get('caller').tenant.id, query, now);
      setPaginationHeaders(c, publicUrl, { total, page: query.page, limit: query.limit });
      return c.json(
        rows.map((row) => presentPassListItem(row, publicUrl, now)),
        200,
      );
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const { tenant } = c.get('caller');
      const answer = await commitChange(c, db, async (trx) => {
        const now = new Date();
        await assertBelowTenantLimit(
          trx,
          tenant.id,
          'passes',
          tenant.max_passes,
          `Pass limit reached: this plan allows ${tenant.max_passes} passes`,
        );
        const [pass] = await createPasses(trx, tenant.id, [body], now, publicUrl);
        if (!pass) throw new Error('A pass was created but not returned');
        return { status: 201 as const, body: presentCreatedPass(pass, publicUrl, now) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(get, async (c) => {
      const pass = await findPass(db, c.get('caller').tenant.id, c.req.valid('param').passId);
      if (!pass) throw notFound('Pass');
      return c.json(presentPass(pass, publicUrl, new Date()), 200);
    })
    .openapi(update, async (c) => {
      const { passId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const now = new Date();
      const after = await db
        .transaction()
        .execute((trx) => changePass(trx, c.get('caller'), passId, patch, now));
      return c.json(presentPass(after, publicUrl, now), 200);
    })
    .openapi(activate, (c) => setStatus(c, c.req.valid('param').passId, 'active'))
    .openapi(revoke, (c) => setStatus(c, c.req.valid('param').passId, 'revoked'));
}
