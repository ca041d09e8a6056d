import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import {
  CreatedWebhook,
  CreateWebhookBody,
  limitParam,
  Pagination,
  Webhook,
  WebhookAttempt,
} from '@passgate/shared';
import { type Selectable, sql } from 'kysely';
import type { WebhookTable } from '../../db/schema';
import { newId } from '../../domain/ids';
import { ApiError, notFound } from '../../errors';
import { commitChange } from '../../middleware/idempotency';
import type { Services } from '../../services';
import { refuseTarget } from '../../webhooks/target';
import { assertBelowTenantLimit } from '../limits';
import {
  createRouter,
  errorResponses,
  json,
  jsonBody,
  setPaginationHeaders,
  toIso,
} from '../support';

const WebhookParams = z.object({ webhookId: z.string().max(100) });

const list = createRoute({
  method: 'get',
  path: '/webhooks',
  tags: ['Webhooks'],
  summary: 'List webhook subscriptions',
  responses: { 200: json(z.array(Webhook), 'Newest first'), ...errorResponses(401, 403, 429) },
});

const subscribe = createRoute({
  method: 'post',
  path: '/webhooks',
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

const unsubscribe = createRoute({
  method: 'delete',
  path: '/webhooks/{webhookId}',
  tags: ['Webhooks'],
  summary: 'Unsubscribe a webhook',
  request: { params: WebhookParams },
  responses: {
    200: json(z.object({ success: z.literal(true) }), 'Removed, with its pending deliveries'),
    ...errorResponses(401, 403, 404, 429),
  },
});

const deliveries = createRoute({
  method: 'get',
  path: '/webhooks/{webhookId}/deliveries',
  tags: ['Webhooks'],
  summary: 'Delivery attempts',
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

const present = (row: Selectable<WebhookTable>): Webhook => ({
  id: row.id,
  event: row.event,
  targetUrl: row.target_url,
  active: row.active,
  createdAt: row.created_at.toISOString(),
});

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export function webhookRoutes({ db, webhooks, publicUrl }: Services) {
  return createRouter()
    .openapi(list, async (c) => {
      const rows = await db
        .selectFrom('webhooks')
        .selectAll()
        .where('tenant_id', '=', c.get('caller').tenant.id)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return c.json(rows.map(present), 200);
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
        const row = await trx
          .insertInto('webhooks')
          .values({
            id: newId('wh'),
            tenant_id: tenant.id,
            event: body.event,
            target_url: body.targetUrl,
            secret: newSecret(),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { status: 201 as const, body: { ...present(row), secret: row.secret } };
      });
      return c.json(answer.body, answer.status);
    })
    .openapi(unsubscribe, async (c) => {
      const removed = await db
        .deleteFrom('webhooks')
        .where('tenant_id', '=', c.get('caller').tenant.id)
        .where('id', '=', c.req.valid('param').webhookId)
        .returning('id')
        .executeTakeFirst();
      if (!removed) throw notFound('Webhook');
      return c.json({ success: true as const }, 200);
    })
    .openapi(deliveries, async (c) => {
      const { webhookId } = c.req.valid('param');
      const { limit, page } = c.req.valid('query');
      const owned = await db
        .selectFrom('webhooks')
        .select('id')
        .where('tenant_id', '=', c.get('caller').tenant.id)
        .where('id', '=', webhookId)
        .executeTakeFirst();
      if (!owned) throw notFound('Webhook');
      const [rows, count] = await Promise.all([
        db
          .selectFrom('webhook_attempts')
          .innerJoin('events', 'events.id', 'webhook_attempts.event_id')
          .selectAll('webhook_attempts')
          .select('events.type')
          .where('webhook_attempts.webhook_id', '=', webhookId)
          .orderBy('webhook_attempts.attempted_at', 'desc')
          .orderBy('webhook_attempts.id', 'desc')
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
        db
          .selectFrom('webhook_attempts')
          .select(sql<number>`count(*)::int`.as('total'))
          .where('webhook_id', '=', webhookId)
          .executeTakeFirstOrThrow(),
      ]);
      setPaginationHeaders(c, publicUrl, { total: count.total, page, limit });
      return c.json(
        rows.map((row) => ({
          id: row.id,
          eventId: row.event_id,
          event: row.type,
          attempt: row.attempt,
          statusCode: row.status_code,
          durationMs: row.duration_ms,
          error: row.error,
          nextRetryAt: toIso(row.next_retry_at),
          attemptedAt: row.attempted_at.toISOString(),
        })),
        200,
      );
    });
}
