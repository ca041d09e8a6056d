import type { Webhook, WebhookAttempt } from '@passgate/shared';
import type { Selectable } from 'kysely';
import type { WebhookAttemptTable, WebhookTable } from '../../db/schema';
import { toIso } from '../support';

export const presentWebhook = (row: Selectable<WebhookTable>): Webhook => ({
  id: row.id,
  event: row.event,
  targetUrl: row.target_url,
  active: row.active,
  createdAt: row.created_at.toISOString(),
});

export const presentAttempt = (
  row: Selectable<WebhookAttemptTable> & { type: WebhookAttempt['event'] },
): WebhookAttempt => ({
  id: row.id,
  eventId: row.event_id,
  event: row.type,
  attempt: row.attempt,
  statusCode: row.status_code,
  durationMs: row.duration_ms,
  error: row.error,
  nextRetryAt: toIso(row.next_retry_at),
  attemptedAt: row.attempted_at.toISOString(),
});
