import type { Transaction } from 'kysely';
import type { Database, ScanRow } from '../../db/schema';
import { recordEvents } from '../../events';
import { unadmitSql } from '../pass-sql';
import { selectPasses } from '../passes/rows';
import { findScans, type ScanWithPass } from './find';
import { passScanOf, scanRecordOf } from './present';

/** Why a scan cannot be annulled by this caller, or what annulling it did. */
export type AnnulOutcome =
  | { ok: true; scan: ScanWithPass }
  | {
      ok: false;
      reason: 'unknown' | 'not_admitted' | 'other_device' | 'too_late' | 'before_scan';
    };

/** A door may undo its own admit for this long after it scanned. */
export const ANNUL_WINDOW_MS = 15 * 60 * 1000;

/**
 * Why a door may not undo this admit at `at` (its clock when it undid it), if it may not. The
 * undo must come after the scan and within 15 minutes of it; and the server must hear of it
 * within 15 minutes of `at`, or of receiving the scan itself (an offline scan and its undo
 * uploaded together). A door cannot reach back further by naming an earlier time.
 */
export function doorAnnulRefusal(
  scan: Pick<ScanRow, 'scanned_at' | 'received_at'>,
  at: Date,
  now: Date,
): 'before_scan' | 'too_late' | undefined {
  if (at.getTime() < scan.scanned_at.getTime()) return 'before_scan';
  if (at.getTime() - scan.scanned_at.getTime() > ANNUL_WINDOW_MS) return 'too_late';
  const heardLate = now.getTime() - at.getTime() > ANNUL_WINDOW_MS;
  const scanHeardLate = now.getTime() - scan.received_at.getTime() > ANNUL_WINDOW_MS;
  if (heardLate && scanHeardLate) return 'too_late';
  return undefined;
}

/**
 * Undoes an admit: gives the use back (a spent single pass is active again, a revoked one stays
 * revoked) and emits `pass.scan_annulled`. A device may annul only its own scans, within 15
 * minutes of scanning (`at`, its clock when it undid an offline scan); a full key any. Annulling
 * twice does it once.
 */
export async function annulScan(
  trx: Transaction<Database>,
  options: {
    tenantId: string;
    scanId: string;
    /** The door asking (its scan key and device), or null for a full key. */
    door: { apiKeyId: string; deviceId: string | null } | null;
    at: Date;
    now: Date;
  },
): Promise<AnnulOutcome> {
  const { tenantId, scanId, door, at, now } = options;
  const scan = await trx
    .selectFrom('scans')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', scanId)
    .forUpdate()
    .executeTakeFirst();
  if (!scan) return { ok: false, reason: 'unknown' };
  const ownScan =
    door === null ||
    scan.api_key_id === door.apiKeyId ||
    (door.deviceId !== null && scan.device_id === door.deviceId);
  if (!ownScan) return { ok: false, reason: 'other_device' };
  if (scan.result !== 'success') return { ok: false, reason: 'not_admitted' };
  if (scan.annulled_at === null) {
    if (door !== null) {
      const refused = doorAnnulRefusal(scan, at, now);
      if (refused) return { ok: false, reason: refused };
    }
    await trx
      .updateTable('passes')
      .set({
        ...unadmitSql,
        updated_at: now,
      })
      .where('id', '=', scan.pass_id)
      .execute();
    const pass = await selectPasses(trx, tenantId)
      .where('passes.id', '=', scan.pass_id)
      .executeTakeFirstOrThrow();
    const annulled = await trx
      .updateTable('scans')
      .set({ annulled_at: now })
      .where('id', '=', scan.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordEvents(
      trx,
      tenantId,
      [
        {
          type: 'pass.scan_annulled',
          subjectId: pass.id,
          data: { ...scanRecordOf(passScanOf(annulled), pass, now), annulledAt: now.toISOString() },
        },
      ],
      now,
    );
  }
  const found = await findScans(trx, tenantId, { id: scan.id });
  return found ? { ok: true, scan: found } : { ok: false, reason: 'unknown' };
}
