import type { Location } from '@passgate/shared';
import type { LocationRow } from '../../db/schema';
import { toIso } from '../support';

export function presentLocation(row: LocationRow): Location {
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    timezone: row.timezone,
    latitude: row.latitude,
    longitude: row.longitude,
    capacity: row.capacity,
    reentry: row.reentry,
    occupancy: row.occupancy,
    createdAt: row.created_at.toISOString(),
    archivedAt: toIso(row.archived_at),
  };
}
