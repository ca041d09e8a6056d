import type { ScanAnswer, ScanListItem, ScanRecord } from '@passgate/shared';
import { reportedStatus } from '@passgate/shared/core';
import type { ScanRow } from '../../db/schema';
import { type PassWithClient, passCore } from '../passes/present';
import { toIso } from '../support';
import type { ScanWithPass } from './queries';

/** A scan and its pass as the `pass.scanned` event's data (`scanRecordSql` builds it in SQL). */
export function scanRecordOf(scan: ScanRow, pass: PassWithClient, now: Date): ScanRecord {
  return {
    id: scan.id,
    passId: pass.id,
    code: pass.code,
    name: pass.name,
    type: pass.type,
    result: scan.result,
    success: scan.result === 'success',
    status: reportedStatus(pass, now),
    usagesCount: pass.usages_count,
    maxUsages: pass.max_usages,
    clientName: pass.client_name,
    device: scan.device,
    deviceId: scan.device_id,
    offline: scan.offline,
    conflict: scan.conflict,
    scannedAt: scan.scanned_at.toISOString(),
  };
}

export function presentScanListItem(scan: ScanWithPass): ScanListItem {
  return {
    id: scan.id,
    passId: scan.pass_id,
    code: scan.code,
    name: scan.pass_name,
    clientName: scan.client_name,
    result: scan.result,
    success: scan.result === 'success',
    offline: scan.offline,
    conflict: scan.conflict,
    deviceId: scan.device_id,
    deviceName: scan.device_name,
    scannedAt: scan.scanned_at.toISOString(),
    receivedAt: scan.received_at.toISOString(),
    annulledAt: toIso(scan.annulled_at),
    clockCorrectedMs: scan.clock_corrected_ms === null ? null : Number(scan.clock_corrected_ms),
  };
}

/** The answer to a scan that was recorded already (an upload, or a replay of its key). */
export function presentRecordedScan(scan: ScanRow, pass: PassWithClient, now: Date): ScanAnswer {
  return {
    success: scan.result === 'success',
    result: scan.result,
    conflict: scan.conflict,
    pass: {
      ...passCore(pass, now),
      clientName: pass.client_name,
      lastAdmittedAt: toIso(pass.last_admitted_at),
    },
    scan: {
      id: scan.id,
      scannedAt: scan.scanned_at.toISOString(),
      offline: scan.offline,
      receivedAt: scan.received_at.toISOString(),
    },
  };
}
