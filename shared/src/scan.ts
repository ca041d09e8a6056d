import { z } from 'zod';
import { SCAN_RESULTS } from './codes';
import { passCore } from './passes';

export const ScanRequest = z
  .object({
    code: z.string().trim().min(1).max(2048),
    device: z.string().trim().max(100).optional(),
  })
  .meta({ id: 'ScanRequest' });
export type ScanRequest = z.infer<typeof ScanRequest>;

export const ScannedPass = z
  .object({
    ...passCore,
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
 * Take the pass code out of what a QR holds or staff typed: the code itself (spaces anywhere
 * are dropped, since a code has none and people type it in groups), or a pass page URL
 * (`…/p/CODE?token=…`). Anything else is returned so, for the server to call unknown.
 */
export function extractPassCode(text: string): string {
  const trimmed = text.trim();
  const match = /\/p\/([A-Za-z0-9]+)(?:[?#/]|$)/.exec(trimmed);
  return match?.[1] ?? trimmed.replace(/\s+/g, '');
}
