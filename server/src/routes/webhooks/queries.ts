import { randomBytes } from 'node:crypto';
import { TEST_EVENT } from '@passgate/shared';
import type { Kysely, Transaction } from 'kysely';
import type { Database, WebhookTable } from '../../db/schema';
import { newId } from '../../domain/ids';
import { paginate } from '../support';

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const newSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export function listWebhooks(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export function insertWebhook(
  db: Kysely<Database>,
  tenantId: string,
  subscription: Pick<WebhookTable, 'event' | 'target_url'>,
) {
  return db
    .insertInto('webhooks')
    .values({ id: newId('wh'), tenant_id: tenantId, ...subscription, secret: newSecret() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Removes the subscription (its pending deliveries go with it); undefined when there is none. */
export function deleteWebhook(db: Kysely<Database>, tenantId: string, webhookId: string) {
  return db
    .deleteFrom('webhooks')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', webhookId)
    .returning('id')
    .executeTakeFirst();
}

export function findWebhook(db: Kysely<Database>, tenantId: string, webhookId: string) {
  return db
    .selectFrom('webhooks')
    .select(['id', 'event'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', webhookId)
    .executeTakeFirst();
}

/** A page of a subscription's delivery attempts, newest first; find the subscription first. */
export function listAttempts(
  db: Kysely<Database>,
  webhookId: string,
  page: { page: number; limit: number },
) {
  return paginate(
    db,
    db
      .selectFrom('webhook_attempts')
      .innerJoin('events', 'events.id', 'webhook_attempts.event_id')
      .selectAll('webhook_attempts')
      .select('events.type')
      .where('webhook_attempts.webhook_id', '=', webhookId)
      .orderBy('webhook_attempts.attempted_at', 'desc')
      .orderBy('webhook_attempts.id', 'desc'),
    page,
  );
}

/**
 * Sends a failed delivery of the tenant's webhook once more, as soon as a worker is free: it is
 * pending again, due now, and its attempts go on counting (a retry that fails is failed again).
 * Says why not when it is not failed, or not there.
 */
export async function retryDelivery(
  db: Kysely<Database>,
  tenantId: string,
  webhookId: string,
  eventId: string,
  now = new Date(),
): Promise<'retried' | 'not_failed' | 'unknown'> {
  const retried = await db
    .updateTable('webhook_deliveries')
    .set({ state: 'pending', next_attempt_at: now, locked_until: null })
    .where('tenant_id', '=', tenantId)
    .where('webhook_id', '=', webhookId)
    .where('event_id', '=', eventId)
    .where('state', '=', 'failed')
    .returning('event_id')
    .executeTakeFirst();
  if (retried) return 'retried';
  const found = await db
    .selectFrom('webhook_deliveries')
    .select('state')
    .where('tenant_id', '=', tenantId)
    .where('webhook_id', '=', webhookId)
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return found ? 'not_failed' : 'unknown';
}

/**
 * A test event for one subscription, delivered to it alone (signed and logged as any other):
 * the event, and its delivery, due now. Undefined when the tenant has no such subscription.
 */
export async function queueTestEvent(
  trx: Transaction<Database>,
  tenantId: string,
  webhookId: string,
  now = new Date(),
) {
  const webhook = await findWebhook(trx, tenantId, webhookId);
  if (!webhook) return undefined;
  const eventId = newId('evt');
  await trx
    .insertInto('events')
    .values({
      id: eventId,
      tenant_id: tenantId,
      type: TEST_EVENT,
      subject_id: webhook.id,
      data: JSON.stringify({
        webhookId: webhook.id,
        subscribedTo: webhook.event,
        message: 'A test event from Passgate: this endpoint receives and verifies its webhooks.',
      }),
      created_at: now,
    })
    .execute();
  await trx
    .insertInto('webhook_deliveries')
    .values({
      webhook_id: webhook.id,
      event_id: eventId,
      tenant_id: tenantId,
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      locked_until: null,
      created_at: now,
    })
    .execute();
  return eventId;
}
