import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import { ApiError } from '../../errors';
import { onServerClock } from '../device-clock';
import { codeTypedAs } from '../passes/rows';
import { recordUpload, type Upload } from './upload';

/** A scan of a code no pass of the tenant has: 404, as `POST /scan` and an upload answer it. */
export const unknownPass = () =>
  new ApiError(404, 'Unknown pass: no pass of this tenant has that code');

/** A door's scan that names a location: it scans at its own. */
export const doorNamesLocation = () =>
  new ApiError(
    400,
    'locationId: a door scans at its own location; move it with PATCH /devices/{id}',
  );

/** An upload is accepted this long after its (corrected) scan time. */
const UPLOAD_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * When an offline scan happened on the server's clock (see `onServerClock`); 400 when that is
 * more than 7 days ago.
 */
export function offlineScanTime(reported: Date, deviceNow: Date | null, now: Date) {
  const { at, correctedMs } = onServerClock(reported, deviceNow, now);
  if (at.getTime() < now.getTime() - UPLOAD_MAX_AGE_MS) {
    throw new ApiError(400, 'scannedAt: an offline scan can be uploaded for 7 days at most');
  }
  return { scannedAt: at, clockCorrectedMs: correctedMs };
}

/**
 * Records an uploaded offline scan (see `recordUpload`) by its code, or else by the one pass
 * whose code it is but for case. Undefined, and nothing written, when no pass has it.
 */
export async function recordOfflineScan(
  trx: Transaction<Database>,
  upload: Upload,
  now: Date,
  publicUrl: string,
) {
  const recorded = await recordUpload(trx, upload, now, publicUrl);
  if (recorded) return recorded;
  const exact = await codeTypedAs(trx, upload.tenantId, upload.code);
  return exact && exact !== upload.code
    ? recordUpload(trx, { ...upload, code: exact }, now, publicUrl)
    : undefined;
}

/**
 * Locks the tenant's passes with these codes in the order of their codes, as the scan statement
 * does, so that transactions recording scans of the same passes wait for each other in turn
 * instead of in a cycle.
 */
export async function lockPasses(db: Kysely<Database>, tenantId: string, codes: string[]) {
  if (codes.length === 0) return;
  await db
    .selectFrom('passes')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('code', '=', sql<string>`any(${codes}::text[])`)
    .orderBy('code')
    .forUpdate()
    .execute();
}
