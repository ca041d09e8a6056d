import { z } from 'zod';
import { SCAN_ANSWER_RESULTS, SCAN_DIRECTIONS, SCAN_RESULTS, SIGNATURE_PROBLEMS } from './core';
import { IsoDate } from './dates';
import { ScanRejectionReason } from './devices';
import { SCANNED_PASS_FIELDS, shapeOf } from './pass-fields';

/** What a scan says, with or without `offline`. */
const scanFields = {
  code: z.string().trim().min(1).max(2048),
  device: z.string().trim().max(100).optional(),
  direction: z
    .enum(SCAN_DIRECTIONS, { error: 'direction must be "entry" or "exit"' })
    .optional()
    .describe(
      '`entry` when left out; `exit` lets a guest out: recorded, never refused for uses or validity',
    ),
  locationId: z
    .string()
    .max(100)
    .optional()
    .describe(
      'Where a key that is not a door scans; a door scans at its own location (PATCH /devices/{id})',
    ),
  offline: z
    .boolean()
    .optional()
    .describe('true: an upload of a scan the phone decided while the server was out of reach'),
  scannedAt: IsoDate.optional().describe(
    "An upload's time on the device: at most 7 days back and 5 minutes ahead",
  ),
  localResult: z
    .enum(SCAN_RESULTS, { error: `localResult must be one of ${SCAN_RESULTS.join(', ')}` })
    .optional()
    .describe(
      "An upload's verdict on the phone: `success` counts a use whatever the rule says now",
    ),
};

export const ScanRequest = z
  .object(scanFields)
  .refine((body) => !body.offline || (body.scannedAt && body.localResult), {
    message: 'an offline upload needs scannedAt and localResult',
    path: ['offline'],
  })
  .meta({ id: 'ScanRequest' });
export type ScanRequest = z.infer<typeof ScanRequest>;

export const ScannedPass = z.object(shapeOf(SCANNED_PASS_FIELDS)).meta({ id: 'ScannedPass' });

export const ScanAnswer = z
  .object({
    success: z.boolean(),
    result: z.enum(SCAN_ANSWER_RESULTS),
    signature: z
      .enum(SIGNATURE_PROBLEMS)
      .optional()
      .describe(
        'Why a signed code was refused (`invalid_signature`): forged or edited, a key the tenant ' +
          'never had, a retired key, or a code a newer one replaced',
      ),
    pass: ScannedPass,
    conflict: ScanRejectionReason.nullable().describe(
      "An offline admit that the server's rule refuses, with the server's reason; else null",
    ),
    scan: z.object({
      id: z.string(),
      scannedAt: z.string(),
      offline: z.boolean(),
      receivedAt: z.string(),
      direction: z.enum(SCAN_DIRECTIONS),
      locationId: z
        .string()
        .nullable()
        .describe("Where it counted: its door's location (or the one named), else the pass's"),
    }),
  })
  .meta({ id: 'ScanAnswer' });
export type ScanAnswer = z.infer<typeof ScanAnswer>;

/** An Idempotency-Key: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Scans in one upload: a door's queue of 1,000 goes in 10 requests. */
export const MAX_UPLOAD_SCANS = 100;

export const UploadedScan = z
  .object({
    key: z
      .string()
      .regex(IDEMPOTENCY_KEY_PATTERN, 'key must be 1 to 255 visible ASCII characters')
      .describe(
        'The scan’s Idempotency-Key (the one its online attempt was sent with, if any): a scan ' +
          'is recorded once under it, however often it is sent',
      ),
    code: scanFields.code,
    device: scanFields.device,
    direction: scanFields.direction,
    locationId: scanFields.locationId,
    scannedAt: IsoDate.describe("The scan's time on the device: at most 7 days back"),
    localResult: scanFields.localResult.unwrap(),
  })
  .meta({ id: 'UploadedScan' });

export const UploadRequest = z
  .object({
    scans: z
      .array(UploadedScan)
      .min(1)
      .max(MAX_UPLOAD_SCANS)
      .refine((scans) => new Set(scans.map((scan) => scan.key)).size === scans.length, {
        message: 'each scan needs a key of its own',
      })
      .describe('In the order the door decided them'),
  })
  .meta({ id: 'UploadRequest' });
export type UploadRequest = z.infer<typeof UploadRequest>;

export const UploadResult = z
  .object({
    key: z.string(),
    status: z
      .number()
      .int()
      .describe(
        'What `POST /scan` would answer this scan alone: 200 with `answer`, else 400 or 404 ' +
          'with `error` (404: no pass has the code; an exit of it is recorded all the same)',
      ),
    answer: ScanAnswer.optional(),
    error: z.string().optional(),
  })
  .meta({ id: 'UploadResult' });

export const UploadAnswer = z
  .object({ results: z.array(UploadResult).describe("One for each scan, in the request's order") })
  .meta({ id: 'UploadAnswer' });
export type UploadAnswer = z.infer<typeof UploadAnswer>;
