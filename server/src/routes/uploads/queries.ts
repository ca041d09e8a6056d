import {
  extractPassCode,
  type UploadAnswer,
  type UploadedScan,
  type UploadRequest,
} from '@passgate/shared';
import { isSignedCode, parseSignedCode } from '@passgate/shared/core';
import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../db/schema';
import { PASS_CODE_PATTERN } from '../../domain/ids';
import { findPass } from '../../domain/passes/rows';
import { findScans } from '../../domain/scans/find';
import {
  doorNamesLocation,
  lockPasses,
  offlineScanTime,
  recordOfflineScan,
  unknownPass,
} from '../../domain/scans/offline';
import { passScanOf, presentRecordedScan } from '../../domain/scans/present';
import { recordUnknownExit } from '../../domain/scans/unknown';
import { ApiError } from '../../errors';
import { assertLocationsUsable } from '../locations/queries';

type UploadResult = UploadAnswer['results'][number];

/** Who uploads: the tenant, the key (a door's, or a full one), and the door device if any. */
export interface Uploader {
  tenantId: string;
  apiKeyId: string;
  deviceId: string | null;
  /** What `X-Device-Time` said the phone's clock read as it sent. */
  deviceNow: Date | null;
}

/** The plain code a scanned text names (a signed code states one), or undefined. */
function codeOf(text: string): string | undefined {
  const extracted = extractPassCode(text);
  const code = isSignedCode(extracted) ? parseSignedCode(extracted)?.statement.code : extracted;
  return code !== undefined && PASS_CODE_PATTERN.test(code) ? code : undefined;
}

/**
 * Records a door's queued scans in one transaction, in the order given, each as `POST /scan`
 * with `offline: true` would under its own key: once, however often it is sent. The passes are
 * locked first, in the order of their codes. A scan that cannot be recorded is answered with
 * its own status and error, and the rest go on.
 */
export async function recordUploads(
  trx: Transaction<Database>,
  uploader: Uploader,
  scans: UploadRequest['scans'],
  options: { now: Date; publicUrl: string },
): Promise<UploadResult[]> {
  const codes = scans.flatMap((scan) => codeOf(scan.code) ?? []);
  await lockPasses(trx, uploader.tenantId, [...new Set(codes)]);
  const results: UploadResult[] = [];
  let receivedAt = options.now;
  for (const scan of scans) {
    // Each is received after the one before it, so that lists newest first show them in order.
    const now = new Date(Math.max(Date.now(), receivedAt.getTime() + 1));
    receivedAt = now;
    try {
      results.push({
        key: scan.key,
        status: 200,
        answer: await recordOne(trx, uploader, scan, { ...options, now }),
      });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      results.push({ key: scan.key, status: error.status, error: error.message });
    }
  }
  return results;
}

async function recordOne(
  trx: Transaction<Database>,
  uploader: Uploader,
  scan: z.infer<typeof UploadedScan>,
  { now, publicUrl }: { now: Date; publicUrl: string },
) {
  const { tenantId, apiKeyId, deviceId } = uploader;
  const code = codeOf(scan.code);
  if (code === undefined) throw unknownPass();
  // Recorded already: by an earlier upload, or by its online attempt under the same key.
  const recorded = await findScans(trx, tenantId, { apiKeyId, idempotencyKey: scan.key });
  if (recorded) {
    if (recorded.pass_code.toUpperCase() !== code.toUpperCase()) {
      throw new ApiError(422, 'key: it was used for a scan of another code');
    }
    const pass =
      recorded.pass_id === null ? undefined : await findPass(trx, tenantId, recorded.pass_id);
    if (!pass) throw unknownPass();
    return presentRecordedScan(passScanOf(recorded), pass, now);
  }
  const locationId = scan.locationId ?? null;
  if (locationId !== null) {
    if (deviceId) {
      throw doorNamesLocation();
    }
    await assertLocationsUsable(trx, tenantId, [locationId]);
  }
  const time = offlineScanTime(new Date(scan.scannedAt), uploader.deviceNow, now);
  const direction = scan.direction ?? 'entry';
  const source = {
    tenantId,
    code,
    apiKeyId,
    deviceId,
    device: scan.device || null,
    idempotencyKey: scan.key,
    locationId,
  };
  const upload = { ...source, ...time, localResult: scan.localResult, direction };
  const written = await recordOfflineScan(trx, upload, now, publicUrl);
  if (written) return presentRecordedScan(written.scan, written.pass, now);
  if (direction === 'exit') {
    await recordUnknownExit(trx, { ...source, ...time, offline: true }, now);
  }
  throw unknownPass();
}
