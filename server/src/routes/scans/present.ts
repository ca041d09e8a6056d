import type { ScanListItem } from '@passgate/shared';
import type { ScanWithPass } from '../../domain/scans/find';
import { toIso } from '../support';

export function presentScanListItem(scan: ScanWithPass): ScanListItem {
  return {
    id: scan.id,
    passId: scan.pass_id,
    code: scan.pass_code,
    name: scan.pass_name,
    clientName: scan.client_name,
    result: scan.result,
    success: scan.result === 'success',
    offline: scan.offline,
    conflict: scan.conflict,
    deviceId: scan.device_id,
    deviceName: scan.device_name,
    direction: scan.direction,
    locationId: scan.location_id,
    scannedAt: scan.scanned_at.toISOString(),
    receivedAt: scan.received_at.toISOString(),
    annulledAt: toIso(scan.annulled_at),
    clockCorrectedMs: scan.clock_corrected_ms === null ? null : Number(scan.clock_corrected_ms),
  };
}
