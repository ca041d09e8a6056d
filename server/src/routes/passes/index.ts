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
import type { Context } from 'hono';
import { ACCESS, defineRoute } from '../../access';
import {
  presentCreatedPass,
  presentPass,
  presentPassListItem,
  presentPassStatus,
  signableOf,
} from '../../domain/passes/present';
import { findPass } from '../../domain/passes/rows';
import { notFound } from '../../errors';
import type { ApiEnv } from '../../middleware/env';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { passCsvOperations, passCsvRoutes } from './csv-routes';
import { PassFilters } from './filters';
import { listPasses } from './queries';
import { changePass, createPasses, setPassStatus } from './service';
import { passWalletOperations, passWalletRoutes } from './wallets';

const PassParams = z.object({ passId: z.string().max(100) });

const list = defineRoute({
  method: 'get',
  path: '/passes',
  operationId: 'listPasses',
  access: ACCESS.team,
  tags: ['Passes'],
  summary: 'List passes',
  request: {
    query: z.object({
      ...PassFilters,
      ...Pagination,
      cursor: z
        .string()
        .max(40)
        .optional()
        .describe(
          "The page after this place, as the Link header's `next` gives it; `page` is then " +
            'left out. Deep pages by cursor cost what the first does.',
        ),
    }),
  },
  responses: {
    200: json(
      z.array(PassListItem),
      'Newest first. `X-Total-Count` is exact up to 10,000 and an estimate beyond ' +
        '(`X-Total-Count-Estimated: true`); `Link` has first, prev, next (by cursor) and last',
    ),
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
  ...passWalletOperations,
};

export function passRoutes(services: Services) {
  const { db, publicUrl, signingKeys } = services;
  /** The pass's signed code, by the tenant's current key. */
  const signedCodeOf = async (tenantId: string, row: Parameters<typeof signableOf>[0]) =>
    (await signingKeys.signer(db, tenantId))(signableOf(row));

  async function setStatus(c: Context<ApiEnv>, passId: string, status: 'active' | 'revoked') {
    const answer = await commitChange(c, db, async (trx) => {
      const now = new Date();
      const tenantId = c.get('caller').tenant.id;
      const after = await setPassStatus(trx, tenantId, passId, status, { now, publicUrl });
      return { status: 200 as const, body: presentPassStatus(after, now) };
    });
    return c.json(answer.body, answer.status);
  }

  return createRouter()
    .route('/', passCsvRoutes(services))
    .route('/', passWalletRoutes(services))
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const now = new Date();
      const { rows, next, ...counted } = await listPasses(
        db,
        c.get('caller').tenant.id,
        query,
        now,
      );
      setPaginationHeaders(c, publicUrl, {
        ...counted,
        next,
        page: query.page,
        limit: query.limit,
      });
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
        const [pass] = await createPasses(trx, tenant, [body], { now, publicUrl });
        if (!pass) throw new Error('A pass was created but not returned');
        return { status: 201 as const, body: presentCreatedPass(pass, publicUrl, now) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(get, async (c) => {
      const tenantId = c.get('caller').tenant.id;
      const pass = await findPass(db, tenantId, c.req.valid('param').passId);
      if (!pass) throw notFound('Pass');
      return c.json(
        presentPass(pass, publicUrl, new Date(), await signedCodeOf(tenantId, pass)),
        200,
      );
    })
    .openapi(update, async (c) => {
      const { passId } = c.req.valid('param');
      const patch = c.req.valid('json');
      const now = new Date();
      const tenantId = c.get('caller').tenant.id;
      const after = await db
        .transaction()
        .execute((trx) => changePass(trx, tenantId, passId, patch, { now, publicUrl }));
      return c.json(presentPass(after, publicUrl, now, await signedCodeOf(tenantId, after)), 200);
    })
    .openapi(activate, (c) => setStatus(c, c.req.valid('param').passId, 'active'))
    .openapi(revoke, (c) => setStatus(c, c.req.valid('param').passId, 'revoked'));
}
