import {
  SCAN_RECORD_PASS_FIELDS,
  SCANNED_PASS_FIELDS,
  type ScanAnswer,
  type ScanRecord,
} from '@passgate/shared';
import type { PassScanRow, ScanRow } from '../../db/schema';
import { type PassWithClient, presentFields } from '../passes/present';
import type { ScannedPassRow } from './statement';

/** The answer to a scan: the verdict, the pass as the door needs it, and the scan's id. */
export function presentScan(pass: ScannedPassRow, now: Date): ScanAnswer {
  return {
    success: pass.result === 'success',
    result: pass.result,
    pass: presentFields(SCANNED_PASS_FIELDS, pass, { now }),
    conflict: null,
    scan: {
      id: pass.scan_id,
      scannedAt: now.toISOString(),
      offline: false,
      receivedAt: now.toISOString(),
      direction: pass.direction,
      locationId: pass.scan_location_id,
    },
  };
}

/** A scan and its pass as the `pass.scanned` event's data (`scanRecordSql` builds it in SQL). */
export function scanRecordOf(scan: PassScanRow, pass: PassWithClient, now: Date): ScanRecord {
  return {
    id: scan.id,
    ...presentFields(SCAN_RECORD_PASS_FIELDS, pass, { now }),
    result: scan.result,
    success: scan.result === 'success',
    device: scan.device,
    deviceId: scan.device_id,
    offline: scan.offline,
    direction: scan.direction,
    locationId: scan.location_id,
    conflict: scan.conflict,
    scannedAt: scan.scanned_at.toISOString(),
  };
}

/** The answer to a scan that was recorded already (an upload, or a replay of its key). */
export function presentRecordedScan(
  scan: PassScanRow,
  pass: PassWithClient,
  now: Date,
): ScanAnswer {
  return {
    success: scan.result === 'success',
    result: scan.result,
    conflict: scan.conflict,
    pass: presentFields(SCANNED_PASS_FIELDS, pass, { now }),
    scan: {
      id: scan.id,
      scannedAt: scan.scanned_at.toISOString(),
      offline: scan.offline,
      receivedAt: scan.received_at.toISOString(),
      direction: scan.direction,
      locationId: scan.location_id,
    },
  };
}

/** The scan row as a scan of a pass; throws for an `unknown_pass` exit, which has none. */
export function passScanOf<T extends ScanRow>(scan: T): T & PassScanRow {
  if (scan.pass_id === null || scan.result === 'unknown_pass') {
    throw new Error(`Scan ${scan.id} is of no pass`);
  }
  return scan as T & PassScanRow;
}
