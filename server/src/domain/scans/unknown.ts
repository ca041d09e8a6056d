import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import { newId } from '../ids';
import { scanLocationOf } from './place';
import type { ScanSource } from './upload';

/** An exit of a code that no pass of the tenant has (`code`: as scanned), as the door sent it. */
export interface UnknownExit extends ScanSource {
  /** The location a key that is not a door named; a door's own otherwise. */
  locationId: string | null;
  scannedAt: Date;
  offline: boolean;
  clockCorrectedMs: number | null;
}

/**
 * Records an exit of an unknown code: a scan row with no pass (`unknown_pass`) at the door's
 * location, so the scan log shows who went out with what. It moves no presence and emits no
 * event (there is no pass to speak of). Sent again under the same Idempotency-Key, it is
 * recorded once.
 */
export async function recordUnknownExit(db: Kysely<Database>, exit: UnknownExit, now: Date) {
  await db
    .insertInto('scans')
    .values({
      id: newId('scan'),
      tenant_id: exit.tenantId,
      pass_id: null,
      code: exit.code.slice(0, 100),
      api_key_id: exit.apiKeyId,
      device: exit.device,
      device_id: exit.deviceId,
      idempotency_key: exit.idempotencyKey,
      result: 'unknown_pass',
      scanned_at: exit.scannedAt,
      received_at: now,
      offline: exit.offline,
      clock_corrected_ms: exit.clockCorrectedMs,
      direction: 'exit',
      location_id: await scanLocationOf(db, exit),
    })
    .onConflict((oc) =>
      oc
        .columns(['api_key_id', 'idempotency_key'])
        .where('idempotency_key', 'is not', null)
        .doNothing(),
    )
    .execute();
}
