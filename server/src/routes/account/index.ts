import { Account } from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import type { Services } from '../../services';
import { countOf } from '../limits';
import { createRouter, errorResponses, json } from '../support';
import { presentAccount } from './present';

const account = defineRoute({
  method: 'get',
  path: '/account',
  operationId: 'getAccount',
  access: ACCESS.team,
  tags: ['Keys'],
  summary: 'The tenant’s plan and what it uses of it',
  description: 'Plan, pass limit and passes in use, webhook quota, and the default rate limits.',
  responses: { 200: json(Account, 'The account'), ...errorResponses(401, 403, 429) },
});

/** The operation, as the OpenAPI document and the client's types see it. */
export const accountOperation = account;

export function accountRoutes({ db }: Services) {
  return createRouter().openapi(account, async (c) => {
    const { tenant } = c.get('caller');
    const [passes, webhooks] = await Promise.all([
      countOf(db, tenant.id, 'passes'),
      countOf(db, tenant.id, 'webhooks'),
    ]);
    return c.json(presentAccount(tenant, { passes, webhooks }), 200);
  });
}
