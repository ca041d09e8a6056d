import { createRoute } from '@hono/zod-openapi';
import { Me } from '@passgate/shared';
import { limitFor } from '../../services/rate-limits';
import { createRouter, errorResponses, json } from '../support';

const meRoute = createRoute({
  method: 'get',
  path: '/me',
  tags: ['Keys'],
  summary: 'The calling key and its tenant',
  description: 'What the scanner shows after pairing, and what Zapier calls to test a connection.',
  responses: { 200: json(Me, 'The key and its tenant'), ...errorResponses(401, 403, 429) },
});

/** The operation, as the OpenAPI document and the client's types see it. */
export const meOperation = meRoute;

export function meRoutes() {
  return createRouter().openapi(meRoute, (c) => {
    const { tenant, key } = c.get('caller');
    return c.json(
      {
        tenant: { id: tenant.id, name: tenant.name, plan: tenant.plan },
        key: {
          id: key.id,
          prefix: key.prefix,
          scope: key.scope,
          rateLimit: limitFor('core', key.rate_limit),
        },
      },
      200,
    );
  });
}
