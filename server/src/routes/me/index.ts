import { Me } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { createRouter, errorResponses, json } from '../support';
import { presentMe } from './present';

const meRoute = defineRoute({
  method: 'get',
  path: '/me',
  operationId: 'getMe',
  access: ACCESS.door,
  tags: ['Keys'],
  summary: 'Who is calling: a key or a signed-in user, its role and its tenant',
  description: 'What the scanner shows after pairing, and what Zapier calls to test a connection.',
  responses: { 200: json(Me, 'The key and its tenant'), ...errorResponses(401, 403, 429) },
});

/** The operation, as the OpenAPI document and the client's types see it. */
export const meOperation = meRoute;

export function meRoutes() {
  return createRouter().openapi(meRoute, (c) => c.json(presentMe(c.get('caller')), 200));
}
