import { z } from '@hono/zod-openapi';
import {
  CreatedWebhook,
  CreateWebhookBody,
  limitParam,
  Pagination,
  Webhook,
  WebhookAttempt,
  WebhookTestAnswer,
} from '@passgate/shared';
import { ACCESS, defineRoute } from '../../access';
import { ApiError, notFound } from '../../errors';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { refuseTarget } from '../../webhooks/target';
import { assertBelowTenantLimit } from '../limits';
import { createRouter, errorResponses, json, jsonBody, setPaginationHeaders } from '../support';
import { presentAttempt, presentWebhook } from './present';
import {
  deleteWebhook,
  findWebhook,
  insertWebhook,
  listAttempts,
  listWebhooks,
  queueTestEvent,
  retryDelivery,
} from './queries';

const WebhookParams = z.object({ webhookId: z.string().max(100) });

const list = defineRoute({
  method: 'get',
  path: '/webhooks',
  operationId: 'listWebhooks',
  access: ACCESS.admins,
  rateGroup: 'webhooks',
  tags: ['Webhooks'],
  summary: 'List webhook subscriptions',
  responses: { 200: json(z.array(Webhook), 'Newest first'), ...errorResponses(401, 403, 429) },
});

const subscribe = defineRoute({
  method: 'post',
  path: '/webhooks',
  operationId: 'createWebhook',
  access: ACCESS.admins,
  rateGroup: 'webhooks',
  tags: ['Webhooks'],
  summary: 'Subscribe a webhook',
  description:
    'targetUrl must be HTTPS and resolve only to public addresses. The answer carries the ' +
    'signing `secret` once. 403 past the tenant’s webhook quota.',
  request: { body: jsonBody(CreateWebhookBody) },
  responses: {
    201: json(CreatedWebhook, 'The subscription, with its secret'),
    ...errorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

const unsubscribe = defineRoute({
  method: 'delete',
  path: '/webhooks/{webhookId}',
  operationId: 'deleteWebhook',
  access: ACCESS.admins,
  rateGroup: 'webhooks',
  tags: ['Webhooks'],
  summary: 'Unsubscribe a webhook',
  request: { params: WebhookParams },
  responses: {
    200: json(z.object({ success: z.literal(true) }), 'Removed, with its pending deliveries'),
    ...errorResponses(401, 403, 404, 429),
  },
});

const deliveries = defineRoute({
  method: 'get',
  path: '/webhooks/{webhookId}/deliveries',
  operationId: 'listWebhookDeliveries',
  access: ACCESS.admins,
  rateGroup: 'webhooks',
  tags: ['Webhooks'],
  summary: 'List delivery attempts',
  description: 'Newest first, every attempt: why an endpoint is, or is not, receiving.',
  request: {
    params: WebhookParams,
    query: z.object({
      limit: limitParam(50),
      page: Pagination.page,
    }),
  },
  responses: {
    200: json(z.array(WebhookAttempt), 'Newest first; X-Total-Count and Link headers paginate'),
    ...errorResponses(400, 401, 403, 404, 429),
  },
});

const retry = defineRoute({
  method: 'post',
  path: '/webhooks/{webhookId}/deliveries/{eventId}/retry',
  operationId: 'retryWebhookDelivery',
  access: ACCESS.admins,
  rateGroup: 'webhooks',
  tags: ['Webhooks'],
  summary: 'Resend a failed delivery',
  description:
    'The delivery of one event (its `eventId` in the delivery log) that failed for good is sent ' +
    'once more, as soon as a worker is free; the log shows the new attempt.',
  request: { params: WebhookParams.extend({ eventId: z.string().max(100) }) },
  responses: {
    202: json(z.object({ success: z.literal(true) }), 'Queued to be sent again'),
    ...errorResponses(401, 403, 404, 409, 429),
  },
});

const test = defineRoute({
  method: 'post',
  path: '/webhooks/{webhookId}/test',
  operationId: 'testWebhook',
  access: ACCESS.admins,
  rateGroup: 'webhooks',
  tags: ['Webhooks'],
  summary: 'Send a test event',
  description:
    'Sends a `webhook.test` event to this subscription alone, signed like every other, as soon ' +
    'as a worker is free; the delivery log shows the attempt. No subscription receives it ' +
    'otherwise, and `GET /triggers` does not list it.',
  request: { params: WebhookParams },
  responses: {
    202: json(WebhookTestAnswer, 'Queued to be sent'),
    ...errorResponses(401, 403, 404, 429),
  },
});

export function webhookRoutes({ db, webhooks, publicUrl }: Services) {
  return createRouter()
    .openapi(list, async (c) => {
      const rows = await listWebhooks(db, c.get('caller').tenant.id);
      return c.json(rows.map(presentWebhook), 200);
    })
    .openapi(subscribe, async (c) => {
      const body = c.req.valid('json');
      const { tenant } = c.get('caller');
      const refused = await refuseTarget(body.targetUrl, webhooks.allowPrivate);
      if (refused) throw new ApiError(400, refused);
      const answer = await commitChange(c, db, async (trx) => {
        await assertBelowTenantLimit(
          trx,
          tenant.id,
          'webhooks',
          tenant.webhook_quota,
          `Webhook quota reached: this tenant may have ${tenant.webhook_quota} subscriptions`,
        );
        const row = await insertWebhook(trx, tenant.id, {
          event: body.event,
          target_url: body.targetUrl,
        });
        return { status: 201 as const, body: { ...presentWebhook(row), secret: row.secret } };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(unsubscribe, async (c) => {
      const { webhookId } = c.req.valid('param');
      const removed = await deleteWebhook(db, c.get('caller').tenant.id, webhookId);
      if (!removed) throw notFound('Webhook');
      return c.json({ success: true as const }, 200);
    })
    .openapi(deliveries, async (c) => {
      const { webhookId } = c.req.valid('param');
      const page = c.req.valid('query');
      if (!(await findWebhook(db, c.get('caller').tenant.id, webhookId))) {
        throw notFound('Webhook');
      }
      const { rows, total, estimated } = await listAttempts(db, webhookId, page);
      setPaginationHeaders(c, publicUrl, { total, estimated, ...page });
      return c.json(rows.map(presentAttempt), 200);
    })
    .openapi(test, async (c) => {
      const { webhookId } = c.req.valid('param');
      const tenantId = c.get('caller').tenant.id;
      const eventId = await db
        .transaction()
        .execute((trx) => queueTestEvent(trx, tenantId, webhookId));
      if (!eventId) throw notFound('Webhook');
      return c.json({ eventId }, 202);
    })
    .openapi(retry, async (c) => {
      const { webhookId, eventId } = c.req.valid('param');
      const outcome = await retryDelivery(db, c.get('caller').tenant.id, webhookId, eventId);
      if (outcome === 'unknown') throw notFound('Delivery');
      if (outcome === 'not_failed') {
        throw new ApiError(
          409,
          'Only a failed delivery can be sent again: this one has not failed',
        );
      }
      return c.json({ success: true as const }, 202);
    });
}
