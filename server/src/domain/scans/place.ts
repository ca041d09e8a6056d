import {
  ENTRY_ANYWHERE,
  presenceLocation,
  type ScanDirection,
  type ScannablePass,
  type ScanPlace,
} from '@passgate/shared/core';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema';

// Where a scan decided in TypeScript (an upload of an offline scan) is, read as the scan
// statement reads it in SQL: the door's location (or the one its key named), the pass's presence
// where the scan counts, locked, and that location's `reentry`.

export interface ScanAt {
  tenantId: string;
  deviceId: string | null;
  /** The location a key that is not a door named. */
  locationId: string | null;
  direction: ScanDirection;
}

/** Where a scan is: the location a key named, else its door's; null for neither. */
export async function scanLocationOf(
  db: Kysely<Database>,
  at: { tenantId: string; deviceId: string | null; locationId: string | null },
): Promise<string | null> {
  if (at.locationId !== null || at.deviceId === null) return at.locationId;
  const door = await db
    .selectFrom('devices')
    .select('location_id')
    .where('tenant_id', '=', at.tenantId)
    .where('id', '=', at.deviceId)
    .executeTakeFirst();
  return door?.location_id ?? null;
}

/** The scan's place for the locked pass, and the location the scan counts at. */
export async function placeOf(
  trx: Transaction<Database>,
  at: ScanAt,
  pass: ScannablePass & { id: string },
): Promise<{ place: ScanPlace; countsAt: string | null }> {
  const locationId = await scanLocationOf(trx, at);
  const countsAt = presenceLocation(pass, { ...ENTRY_ANYWHERE, locationId });
  if (countsAt === null) {
    return {
      place: { locationId, direction: at.direction, inside: null, reentry: false },
      countsAt,
    };
  }
  const [presence, location] = await Promise.all([
    trx
      .selectFrom('presence')
      .select('inside')
      .where('pass_id', '=', pass.id)
      .where('location_id', '=', countsAt)
      .forUpdate()
      .executeTakeFirst(),
    trx
      .selectFrom('locations')
      .select('reentry')
      .where('tenant_id', '=', at.tenantId)
      .where('id', '=', countsAt)
      .executeTakeFirst(),
  ]);
  return {
    place: {
      locationId,
      direction: at.direction,
      inside: presence?.inside ?? null,
      reentry: location?.reentry ?? false,
    },
    countsAt,
  };
}

/**
 * Records where a successful scan at `scannedAt` left the pass, unless a later scan there
 * (an upload comes late) moved it since.
 */
export async function recordPresence(
  trx: Transaction<Database>,
  tenantId: string,
  passId: string,
  countsAt: string,
  inside: boolean,
  scannedAt: Date,
) {
  await trx
    .insertInto('presence')
    .values({
      tenant_id: tenantId,
      pass_id: passId,
      location_id: countsAt,
      inside,
      changed_at: scannedAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['pass_id', 'location_id'])
        .doUpdateSet({ inside, changed_at: scannedAt })
        .where('presence.changed_at', '<=', scannedAt),
    )
    .execute();
}
