import { z } from 'zod';
import { EVENT_TYPES, SCAN_ANSWER_RESULTS, SCAN_DIRECTIONS, SCAN_RESULTS } from './core';
import { SCAN_RECORD_PASS_FIELDS, shapeOf } from './pass-fields';

export const CreateWebhookBody = z
  .object({
    event: z.enum(EVENT_TYPES, { error: `event must be one of ${EVENT_TYPES.join(', ')}` }),
    targetUrl: z.string().max(2000),
  })
  .meta({ id: 'CreateWebhook' });
export type CreateWebhookBody = z.infer<typeof CreateWebhookBody>;

export const Webhook = z
  .object({
    id: z.string(),
    event: z.enum(EVENT_TYPES),
    targetUrl: z.string(),
    active: z.boolean().describe('false once the receiver answered 410 Gone'),
    createdAt: z.string(),
  })
  .meta({ id: 'Webhook' });
export type Webhook = z.infer<typeof Webhook>;

export const CreatedWebhook = Webhook.extend({
  secret: z.string().describe('whsec_…: verifies the webhook-signature header. Shown only here.'),
}).meta({ id: 'CreatedWebhook' });

/**
 * The event "Send test event" sends to one subscription alone: no subscription can ask for it,
 * and `GET /triggers` never lists it.
 */
export const TEST_EVENT = 'webhook.test';

export const WebhookAttempt = z
  .object({
    id: z.string(),
    eventId: z.string().describe('Also the webhook-id header of the message'),
    event: z.enum([...EVENT_TYPES, TEST_EVENT]),
    attempt: z.number().int(),
    statusCode: z.number().int().nullable(),
    durationMs: z.number().int(),
    error: z.string().nullable(),
    nextRetryAt: z.string().nullable(),
    attemptedAt: z.string(),
  })
  .meta({ id: 'WebhookAttempt' });
export type WebhookAttempt = z.infer<typeof WebhookAttempt>;

export const WebhookTestAnswer = z
  .object({ eventId: z.string().describe('The test event, as the delivery log will show it') })
  .meta({ id: 'WebhookTest' });

/**
 * The data of a `pass.scanned` event (webhooks and triggers): one flat record of the scan and
 * the pass as it stood after it. Built in SQL by the scan statement (`scanRecordSql`), which a
 * test holds to this schema.
 */
export const ScanRecord = z
  .object({
    id: z.string().describe("The scan's id"),
    ...shapeOf(SCAN_RECORD_PASS_FIELDS),
    result: z.enum(SCAN_ANSWER_RESULTS),
    success: z.boolean(),
    device: z.string().nullable().describe('The free-text door name the scan request gave'),
    deviceId: z.string().nullable().describe('The door device (dev_…) that scanned, if any'),
    offline: z.boolean().describe('Decided on the phone while offline, and uploaded'),
    direction: z.enum(SCAN_DIRECTIONS),
    locationId: z
      .string()
      .nullable()
      .describe("Where it counted: its door's location (or the one named), else the pass's"),
    conflict: z
      .enum(SCAN_RESULTS)
      .exclude(['success'])
      .nullable()
      .describe("An offline admit the server's rule refuses: the server's reason"),
    scannedAt: z.string(),
  })
  .meta({ id: 'ScanRecord' });
export type ScanRecord = z.infer<typeof ScanRecord>;
