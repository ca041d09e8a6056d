import type { EventType } from '@passgate/shared';
import { inReadingOrder } from '../../events';

/**
 * A trigger item: the event's snapshot, with an `id` unique per item (Zapier de-duplicates on
 * it). A pass changes status many times, a client may take in several others, and a location
 * changes: each change is its own item, keyed by the event.
 */
export function presentTrigger(event: EventType, row: { id: string; data: unknown }) {
  const data = row.data as Record<string, unknown>;
  if (
    event === 'pass.status_changed' ||
    event === 'pass.wallet_added' ||
    event === 'pass.wallet_removed'
  )
    return inReadingOrder({ ...data, id: row.id, passId: data.id });
  if (event === 'client.merged') return inReadingOrder({ ...data, id: row.id, clientId: data.id });
  if (event === 'location.updated' || event === 'location.capacity_reached')
    return inReadingOrder({ ...data, id: row.id, locationId: data.id });
  return inReadingOrder({ ...data, id: String(data.id) });
}
