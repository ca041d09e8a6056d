import { z } from 'zod';

/** Every answer `POST /scan` can give, in the order the rule checks them. */
export const SCAN_RESULTS = [
  'success',
  'revoked',
  'already_used',
  'not_yet_valid',
  'expired',
  'max_usages_reached',
] as const;
export type ScanResult = (typeof SCAN_RESULTS)[number];
export type ScanRejection = Exclude<ScanResult, 'success'>;

export const PASS_TYPES = ['single', 'multi'] as const;
export type PassType = (typeof PASS_TYPES)[number];

/** Status as stored. */
export const STORED_PASS_STATUSES = ['active', 'used', 'revoked'] as const;
export type StoredPassStatus = (typeof STORED_PASS_STATUSES)[number];

/** Status as reported: `expired` is derived from `validUntil` at read time. */
export const PASS_STATUSES = ['active', 'used', 'expired', 'revoked'] as const;
export type PassStatus = (typeof PASS_STATUSES)[number];

export const ScanRequest = z
  .object({
    code: z
      .string({ error: 'code must be a string' })
      .trim()
      .min(1, 'code must not be empty')
      .max(2048, 'code must be at most 2048 characters'),
    device: z.string().trim().max(100, 'device must be at most 100 characters').optional(),
  })
  .meta({ id: 'ScanRequest' });
export type ScanRequest = z.infer<typeof ScanRequest>;

export const ScannedPass = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string().nullable(),
    type: z.enum(PASS_TYPES),
    status: z.enum(PASS_STATUSES),
    usagesCount: z.number().int(),
    maxUsages: z.number().int().nullable(),
    validFrom: z.string().nullable(),
    validUntil: z.string().nullable(),
    clientName: z.string().nullable().describe('Name of the attached client (the holder), if any'),
    lastAdmittedAt: z.string().nullable().describe('When the pass was last admitted'),
  })
  .meta({ id: 'ScannedPass' });

export const ScanAnswer = z
  .object({
    success: z.boolean(),
    result: z.enum(SCAN_RESULTS),
    pass: ScannedPass,
    scan: z.object({ id: z.string(), scannedAt: z.string() }),
  })
  .meta({ id: 'ScanAnswer' });
export type ScanAnswer = z.infer<typeof ScanAnswer>;

/**
 * Take the pass code out of what a QR holds: the code itself, or a pass page URL
 * (`…/p/CODE?token=…`). Anything else is returned trimmed, for the server to call unknown.
 */
export function extractPassCode(text: string): string {
  const trimmed = text.trim();
  const match = /\/p\/([A-Za-z0-9]+)(?:[?#/]|$)/.exec(trimmed);
  return match?.[1] ?? trimmed;
}
