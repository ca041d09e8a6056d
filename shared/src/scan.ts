import { z } from 'zod';
import { SCAN_ANSWER_RESULTS, SCAN_DIRECTIONS, SCAN_RESULTS, SIGNATURE_PROBLEMS } from './core';
import { IsoDate } from './dates';
import { ScanRejectionReason } from './devices';
import { SCANNED_PASS_FIELDS, shapeOf } from './pass-fields';

export const ScanRequest = z
  .object({
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
  })
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
