import { z } from '@hono/zod-openapi';
import {
  Client,
  CreateClientBody,
  MergeClientBody,
  Pagination,
  UpdateClientBody,
} from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { ApiError, notFound } from '../../errors';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { presentClient } from './present';
import { findClient, insertClient, listClients, mergeClients, updateClient } from './queries';

const ClientParams = z.object({ clientId: z.string().max(100) });

const list = defineRoute({
  method: 'get',
  path: '/clients',
  operationId: 'listClients',
  access: ACCESS.team,
  tags: ['Clients'],
  summary: 'List clients',
  request: {
    query: z.object({ search: z.string().max(200).optional(), ...Pagination }),
  },
  responses: { 200: json(z.array(Client), 'Newest first'), ...errorResponses(400, 401, 403, 429) },
});

const create = defineRoute({
  method: 'post',
  path: '/clients',
  operationId: 'createClient',
  access: ACCESS.team,
  tags: ['Clients'],
  summary: 'Create a client',
  description: 'Emits `client.created`.',
  request: { body: jsonBody(CreateClientBody) },
  responses: {
    201: json(Client, 'The new client'),
    ...errorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

const get = defineRoute({
  method: 'get',
  path: '/clients/{clientId}',
  operationId: 'getClient',
  access: ACCESS.team,
  tags: ['Clients'],
  summary: 'Get a client',
  request: { params: ClientParams },
  responses: { 200: json(Client, 'The client'), ...errorResponses(401, 403, 404, 429) },
});

const update = defineRoute({
  method: 'patch',
  path: '/clients/{clientId}',
  operationId: 'updateClient',
  access: ACCESS.team,
  tags: ['Clients'],
  summary: 'Change a client',
  description:
    'Changes only what is sent; `null` clears email, phone or notes. The passes of the client ' +
    'follow it, since they name it by its id.',
  request: { params: ClientParams, body: jsonBody(UpdateClientBody) },
  responses: {
    200: json(Client, 'The client as changed'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
  },
});

const merge = defineRoute({
  method: 'post',
  path: '/clients/{clientId}/merge',
  operationId: 'mergeClient',
  access: ACCESS.team,
  tags: ['Clients'],
  summary: 'Merge a client into another',
  description:
    'For two clients that are one person: this client goes, its passes move to `into`, which ' +
    'takes whatever email, phone and notes it lacks. Emits `client.merged` (the client kept, ' +
    'with `mergedId`, `mergedName` and `passesMoved`).',
  request: { params: ClientParams, body: jsonBody(MergeClientBody) },
  responses: {
    200: json(Client, 'The client kept, as it now is'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
  },
});

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const clientOperations = { list, create, get, update, merge };

export function clientRoutes({ db, publicUrl }: Services) {
  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { rows, total, estimated } = await listClients(db, c.get('caller').tenant.id, query);
      setPaginationHeaders(c, publicUrl, {
        total,
        estimated,
        page: query.page,
        limit: query.limit,
      });
      return c.json(rows.map(presentClient), 200);
    })
    .openapi(create, async (c) => {
      const body = c.req.valid('json');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => ({
        status: 201 as const,
        body: presentClient(await insertClient(trx, tenantId, body)),
      }));
      return c.json(answer.body, answer.status);
    })
    .openapi(update, async (c) => {
      const { clientId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const client = await updateClient(trx, tenantId, clientId, c.req.valid('json'));
        if (!client) throw notFound('Client');
        return { status: 200 as const, body: presentClient(client) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(merge, async (c) => {
      const { clientId } = c.req.valid('param');
      const { into } = c.req.valid('json');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const merged = await mergeClients(trx, tenantId, clientId, into);
        if (!merged.ok && merged.reason === 'same') {
          throw new ApiError(400, 'into: a client cannot be merged into itself');
        }
        if (!merged.ok) throw notFound('Client');
        return { status: 200 as const, body: presentClient(merged.client) };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(get, async (c) => {
      const client = await findClient(db, c.get('caller').tenant.id, c.req.valid('param').clientId);
      if (!client) throw notFound('Client');
      return c.json(presentClient(client), 200);
    });
}
