import { z } from 'zod';
import { SCAN_RESULTS } from './core';
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
