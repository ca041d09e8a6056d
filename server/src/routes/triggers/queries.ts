import type { EventType } from '@passgate/shared';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';

/** The tenant's events of one type after `after`, newest first. */
export function recentEvents(
  db: Kysely<Database>,
  tenantId: string,
  query: { event: EventType; after: Date; limit: number },
) {
  return db
    .selectFrom('events')
    .select(['id', 'data', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('type', '=', query.event)
    .where('created_at', '>', query.after)
    .orderBy('created_at', 'desc')
    .orderBy(sql`id`, 'desc')
    .limit(query.limit)
    .execute();
}
