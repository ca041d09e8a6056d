import type { ScanAnswer } from '@passgate/shared';
import { passCore } from '../../routes/passes/present';
import { toIso } from '../../routes/support';
import type { ScannedPassRow } from './statement';

/** The answer to a scan: the verdict, the pass as the door needs it, and the scan's id. */
export function presentScan(pass: ScannedPassRow, now: Date): ScanAnswer {
  return {
    success: pass.result === 'success',
    result: pass.result,
    pass: {
      ...passCore(pass, now),
      clientName: pass.client_name,
      lastAdmittedAt: toIso(pass.last_admitted_at),
    },
    conflict: null,
    scan: {
      id: pass.scan_id,
      scannedAt: now.toISOString(),
      offline: false,
      receivedAt: now.toISOString(),
    },
  };
}
