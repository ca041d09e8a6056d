import type { CreateLocationBody, UpdateLocationBody } from '@passgate/shared';
import type { Kysely, Transaction } from 'kysely';
import type { Database, LocationRow } from '../../db/schema';
import { newId } from '../../domain/ids';
import { assertInUse } from '../../domain/in-use';
import { recordEvents } from '../../events';
import { paginate } from '../support';
import { presentLocation } from './present';

/** Inserts a location and its `location.created` event in the caller's transaction. */
export async function insertLocation(
  trx: Transaction<Database>,
  tenantId: string,
  body: CreateLocationBody,
) {
  const location = await trx
    .insertInto('locations')
    .values({
      tenant_id: tenantId,
      id: newId('loc'),
      name: body.name,
      address: body.address || null,
      timezone: body.timezone ?? 'UTC',
      latitude: body.latitude ?? null,
      longitude: body.longitude ?? null,
      capacity: body.capacity ?? null,
      reentry: body.reentry ?? false,
      created_at: new Date(),
      archived_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvents(trx, tenantId, [
    { type: 'location.created', subjectId: location.id, data: presentLocation(location) },
  ]);
  return location;
}

/** A location of the tenant, locked for the rest of the transaction when `db` is one. */
export async function findLocation(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<LocationRow | undefined> {
  return db
    .selectFrom('locations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function listLocations(
  db: Kysely<Database>,
  tenantId: string,
  query: { archived?: boolean | undefined; page: number; limit: number },
) {
  let filtered = db.selectFrom('locations').where('tenant_id', '=', tenantId);
  if (query.archived !== undefined) {
    filtered = filtered.where('archived_at', query.archived ? 'is not' : 'is', null);
  }
  return paginate(
    db,
    filtered.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'),
    query,
  );
}

/**
 * Changes what `changes` names (null clears address, coordinates and capacity), or archives,
 * with a `location.updated` event when anything changed; undefined when there is no such
 * location.
 */
export async function updateLocation(
  trx: Transaction<Database>,
  tenantId: string,
  id: string,
  changes: UpdateLocationBody & { archivedAt?: Date },
) {
  const before = await findLocation(trx, tenantId, id);
  if (!before) return undefined;
  const set = Object.fromEntries(
    Object.entries({
      name: changes.name,
      address: changes.address === '' ? null : changes.address,
      timezone: changes.timezone,
      latitude: changes.latitude,
      longitude: changes.longitude,
      capacity: changes.capacity,
      reentry: changes.reentry,
      archived_at: changes.archivedAt,
    }).filter(([key, value]) => value !== undefined && value !== before[key as keyof LocationRow]),
  );
  if (Object.keys(set).length === 0) return before;
  const after = await trx
    .updateTable('locations')
    .set(set)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvents(trx, tenantId, [
    {
      type: 'location.updated',
      subjectId: after.id,
      data: { ...presentLocation(after), changed: Object.keys(set).map(fieldName) },
    },
  ]);
  return after;
}

const fieldName = (column: string) => (column === 'archived_at' ? 'archivedAt' : column);

/** 400 unless every id names a location of the tenant in use (see `assertInUse`). */
export const assertLocationsUsable = (
  db: Kysely<Database>,
  tenantId: string,
  ids: readonly string[],
  field = 'locationId',
) => assertInUse(db, tenantId, 'locations', ids, field);

/**
 * Everyone out: every pass inside the location is set outside (the trigger on `presence` counts
 * them down), with a `location.updated` event naming how many went out. The location's row is
 * locked first, so scans that reach its count meanwhile wait for the reset. A scan already
 * holding a pass's presence (it locks it before the location's count) is passed over rather
 * than waited for, which would deadlock: that pass is where its scan leaves it.
 */
export async function resetPresence(
  trx: Transaction<Database>,
  tenantId: string,
  id: string,
  now = new Date(),
) {
  const location = await findLocation(trx, tenantId, id);
  if (!location) return undefined;
  const out = await trx
    .updateTable('presence')
    .set({ inside: false, changed_at: now })
    .where('location_id', '=', id)
    .where('pass_id', 'in', (eb) =>
      eb
        .selectFrom('presence')
        .select('pass_id')
        .where('tenant_id', '=', tenantId)
        .where('location_id', '=', id)
        .where('inside', '=', true)
        .forUpdate()
        .skipLocked(),
    )
    .executeTakeFirst();
  const after = (await findLocation(trx, tenantId, id)) as LocationRow;
  await recordEvents(trx, tenantId, [
    {
      type: 'location.updated',
      subjectId: after.id,
      data: {
        ...presentLocation(after),
        changed: ['occupancy'],
        passesOut: Number(out.numUpdatedRows),
      },
    },
  ]);
  return after;
}
