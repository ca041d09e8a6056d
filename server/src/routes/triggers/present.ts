import type { EventType } from '@passgate/shared';
import { inReadingOrder } from '../../events';

/**
 * A trigger item: the event's snapshot, with an `id` unique per item (Zapier de-duplicates on
 * it). A pass changes status many times: each change is its own item, keyed by the event.
 */
export function presentTrigger(event: EventType, row: { id: string; data: unknown }) {
  const data = row.data as Record<string, unknown>;
  return inReadingOrder(
    event === 'pass.status_changed'
      ? { ...data, id: row.id, passId: data.id }
      : { ...data, id: String(data.id) },
  );
}
