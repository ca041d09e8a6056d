import type { Transaction } from 'kysely';
import type { Database, EventType } from './db/schema';
import { newId } from './domain/ids';

export interface NewEvent {
  type: EventType;
  subjectId: string;
  data: Record<string, unknown>;
}

/**
 * Appends events in the caller's transaction, so an event exists exactly when the change it
 * describes was committed. Webhook deliveries and `GET /triggers` read from here.
 */
export async function recordEvents(
  trx: Transaction<Database>,
  tenantId: string,
  events: NewEvent[],
  at = new Date(),
): Promise<void> {
  if (events.length === 0) return;
  await trx
    .insertInto('events')
    .values(
      events.map((event) => ({
        id: newId('evt'),
        tenant_id: tenantId,
        type: event.type,
        subject_id: event.subjectId,
        data: JSON.stringify(event.data),
        created_at: at,
      })),
    )
    .execute();
}
