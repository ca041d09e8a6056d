import { z } from '@hono/zod-openapi';
import { ApiKeyInfo, CreatedKey, CreateKeyBody, Pagination } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { notFound } from '../../errors';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { presentKey } from './present';
import { findKey, insertKey, listKeys, revokeKey } from './queries';

const KeyParams = z.object({ keyId: z.string().max(100) });

const list = defineRoute({
  method: 'get',
  path: '/keys',
  operationId: 'listKeys',
  access: ACCESS.admins,
  tags: ['Keys'],
  summary: 'List API keys',
  description: 'Admins only. Keys are listed by their prefix; the keys themselves are never kept.',
  request: { query: z.object(Pagination) },
  responses: {
    200: json(z.array(ApiKeyInfo), 'Newest first, revoked ones too'),
    ...errorResponses(400, 401, 403, 429),
  },
});

const create = defineRoute({
  method: 'post',
  path: '/keys',
  operationId: 'createKey',
  access: ACCESS.admins,
  tags: ['Keys'],
  summary: 'Create an API key',
  description:
    'Admins only. A `full` key may call the whole API; a `scan` key only what a door calls. ' +
    'The key is in this answer once, and never again.',
  request: { body: jsonBody(CreateKeyBody) },
  responses: {
    201: json(CreatedKey, 'The key, shown once'),
    ...errorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

const revoke = defineRoute({
  method: 'post',
  path: '/keys/{keyId}/revoke',
  operationId: 'revokeKey',
  access: ACCESS.admins,
  tags: ['Keys'],
  summary: 'Revoke an API key',
  description: 'Admins only. The key stops working at once, on every server.',
  request: { params: KeyParams },
  responses: { 200: json(ApiKeyInfo, 'The revoked key'), ...errorResponses(401, 403, 404, 429) },
});

/** The operations of this resource, as the OpenAPI document and the client's types see them. */
export const keyOperations = { list, create, revoke };

export function keyRoutes({ db, callers, publicUrl }: Services) {
  return createRouter()
    .openapi(list, async (c) => {
      const query = c.req.valid('query');
      const { rows, total, estimated } = await listKeys(db, c.get('caller').tenant.id, query);
      setPaginationHeaders(c, publicUrl, {
        total,
        estimated,
        page: query.page,
        limit: query.limit,
      });
      return c.json(rows.map(presentKey), 200);
    })
    .openapi(create, async (c) => {
      const { scope } = c.req.valid('json');
      const tenantId = c.get('caller').tenant.id;
      const answer = await commitChange(c, db, async (trx) => {
        const { apiKey, row } = await insertKey(trx, tenantId, { scope, rateLimit: null });
        return { status: 201 as const, body: { apiKey, key: presentKey(row) } };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(revoke, async (c) => {
      const { keyId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const key = (await revokeKey(db, tenantId, keyId)) ?? (await findKey(db, tenantId, keyId));
      if (!key) throw notFound('Key');
      // Forgotten here at once, as a sign-out is; other servers hear it from the database.
      callers.invalidate();
      return c.json(presentKey(key), 200);
    });
}
