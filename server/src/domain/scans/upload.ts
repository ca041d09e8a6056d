import type { ScanDirection, ScanRejection, ScanResult } from '@passgate/shared';
import { admit, evaluateScan, isReentry } from '@passgate/shared/core';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { type NewEvent, recordEvents } from '../../events';
import { newId } from '../ids';
import { scannableOf, statusChangeEvents } from '../passes/present';
import { selectPasses } from '../passes/rows';
import { placeOf, recordPresence } from './place';
import { passScanOf, scanRecordOf } from './present';

/** Who sent a scan, of what code, under which Idempotency-Key. */
export interface ScanSource {
  tenantId: string;
  code: string;
  apiKeyId: string | null;
  deviceId: string | null;
  /** The free-text door name the request gave. */
  device: string | null;
  idempotencyKey: string | null;
}

/** A scan decided on a phone while the server was out of reach, as the phone uploads it. */
export interface Upload extends ScanSource {
  /** When it scanned: the device's clock, corrected by its skew (see `onServerClock`). */
  scannedAt: Date;
  /** How far `scannedAt` was moved from what the device said; null when not. */
  clockCorrectedMs: number | null;
  /** What the phone decided. */
  localResult: ScanResult;
  direction: ScanDirection;
  /** The location a key that is not a door named. */
  locationId: string | null;
}

/**
 * Records an uploaded offline scan as it happened. An offline admit counts a use whatever the
 * rule says now: the guest is inside. When the server's rule (at the scan's time, on the pass as
 * it stands) refuses it, the scan is a conflict, with the server's reason, and emits
 * `scan.conflict`. An offline refusal changes no count. An exit never counts a use, nor does an
 * entry the server knows as a re-entry; an admit or exit moves the pass's presence where it
 * counts, unless a later scan there moved it since. Undefined when no pass has the code.
 */
export async function recordUpload(
  trx: Transaction<Database>,
  upload: Upload,
  now: Date,
  publicUrl: string,
) {
  const before = await selectPasses(trx, upload.tenantId)
    .where('passes.code', '=', upload.code)
    .forUpdate('passes')
    .executeTakeFirst();
  if (!before) return undefined;
  const { place, countsAt } = await placeOf(trx, upload, { ...scannableOf(before), id: before.id });
  const serverResult = evaluateScan(scannableOf(before), upload.scannedAt, place);
  const admitted = upload.localResult === 'success';
  const conflict: ScanRejection | null =
    admitted && serverResult !== 'success' ? serverResult : null;
  let pass = before;
  if (admitted && countsAt !== null) {
    await recordPresence(
      trx,
      upload.tenantId,
      before.id,
      countsAt,
      upload.direction === 'entry',
      upload.scannedAt,
    );
  }
  if (admitted && upload.direction === 'entry' && !isReentry(place)) {
    // A revoked pass stays revoked; a single one is spent.
    const spent = admit(scannableOf(before));
    const status = before.status === 'revoked' ? 'revoked' : spent.status;
    const lastAdmittedAt =
      before.last_admitted_at && before.last_admitted_at > upload.scannedAt
        ? before.last_admitted_at
        : upload.scannedAt;
    await trx
      .updateTable('passes')
      .set({
        usages_count: spent.usagesCount,
        status,
        last_admitted_at: lastAdmittedAt,
        updated_at: now,
      })
      .where('id', '=', before.id)
      .execute();
    pass = {
      ...before,
      usages_count: spent.usagesCount,
      status,
      last_admitted_at: lastAdmittedAt,
    };
  }
  const scan = passScanOf(
    await trx
      .insertInto('scans')
      .values({
        id: newId('scan'),
        tenant_id: upload.tenantId,
        pass_id: pass.id,
        api_key_id: upload.apiKeyId,
        device: upload.device,
        device_id: upload.deviceId,
        result: upload.localResult,
        scanned_at: upload.scannedAt,
        received_at: now,
        offline: true,
        conflict,
        idempotency_key: upload.idempotencyKey,
        clock_corrected_ms: upload.clockCorrectedMs,
        direction: upload.direction,
        location_id: countsAt,
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
  const record = scanRecordOf(scan, pass, now);
  const events: NewEvent[] = [
    { type: 'pass.scanned', subjectId: pass.id, data: record },
    ...statusChangeEvents(before, pass, publicUrl, now),
  ];
  if (conflict) events.push({ type: 'scan.conflict', subjectId: pass.id, data: record });
  await recordEvents(trx, upload.tenantId, events, now);
  return { scan, pass };
}
