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

/** The order in which an event's fields read best: what it is, its state, then when. */
const FIELD_ORDER = [
  'id',
  'passId',
  'clientId',
  'code',
  'name',
  'email',
  'phone',
  'notes',
  'address',
  'timezone',
  'latitude',
  'longitude',
  'capacity',
  'reentry',
  'type',
  'result',
  'success',
  'status',
  'from',
  'to',
  'usagesCount',
  'maxUsages',
  'validFrom',
  'validUntil',
  'client',
  'clientName',
  'clientEmail',
  'clientPhone',
  'device',
  'deviceId',
  'direction',
  'locationId',
  'offline',
  'conflict',
  'publicUrl',
  'scannedAt',
  'annulledAt',
  'changedAt',
  'createdAt',
  'mergedId',
  'mergedName',
  'passesMoved',
  'passesOut',
  'occupancy',
  'reachedAt',
  'archivedAt',
  'changed',
];
const RANK = new Map(FIELD_ORDER.map((field, i) => [field, i]));
const rank = (field: string) => RANK.get(field) ?? FIELD_ORDER.length;

/**
 * An event's data with its fields in reading order, for webhook bodies and `GET /triggers`
 * (Zapier shows sample fields in the order given). PostgreSQL's `jsonb` keeps keys sorted by
 * length, which put `to` before `code` and `createdAt` before `maxUsages`.
 */
export function inReadingOrder<T extends Record<string, unknown>>(data: T): T {
  return Object.fromEntries(Object.entries(data).sort(([a], [b]) => rank(a) - rank(b))) as T;
}
