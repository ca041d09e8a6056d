import { z } from 'zod';
import { SCAN_RESULTS } from './core';
import { IsoDate } from './dates';
import { ScanRejectionReason } from './devices';
import { SCANNED_PASS_FIELDS, shapeOf } from './pass-fields';

export const ScanRequest = z
  .object({
    code: z.string().trim().min(1).max(2048),
    device: z.string().trim().max(100).optional(),
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
    result: z.enum(SCAN_RESULTS),
    pass: ScannedPass,
    conflict: ScanRejectionReason.nullable().describe(
      "An offline admit that the server's rule refuses, with the server's reason; else null",
    ),
    scan: z.object({
      id: z.string(),
      scannedAt: z.string(),
      offline: z.boolean(),
      receivedAt: z.string(),
    }),
  })
  .meta({ id: 'ScanAnswer' });
export type ScanAnswer = z.infer<typeof ScanAnswer>;
