import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';
import { placeTag, type SweepCursor, sweepPage, sweepStart } from '../../domain/sweep';

export interface SyncPassRow {
  id: string;
  code: string;
  type: 'single' | 'multi';
  status: 'active' | 'used' | 'revoked';
  valid_from: Date | null;
  valid_until: Date | null;
  max_usages: number | null;
  usages_count: number;
  last_admitted_at: Date | null;
  name: string | null;
  client_name: string | null;
  location_id: string | null;
  /** Whether the pass is inside where the asking door's scans of it count; null: no presence. */
  inside: boolean | null;
  sync_xid: string;
}

/**
 * One page of the tenant's passes changed since `cursor` (all of them without one), in the order
 * `(sync_xid, id)`, and the cursor to ask with next. The next sweep's floor is read before the
 * page, so that a transaction still running now is sent again by the next sweep, however it is
 * ordered against what this page holds.
 *
 * Each pass comes with its presence where a scan of it by a door at `doorLocationId` counts (the
 * door's location, else the pass's own). A change of presence marks the pass as changed (the
 * `presence_sync` trigger), so it comes again.
 */
export async function syncPage(
  db: Kysely<Database>,
  tenantId: string,
  given: SweepCursor | undefined,
  limit: number,
  doorLocationId: string | null = null,
): Promise<{ rows: SyncPassRow[]; cursor: SweepCursor; hasMore: boolean }> {
  const place = placeTag(doorLocationId);
  const start = await sweepStart(db, given && given.place === place ? given : undefined);
  let query = db
    .selectFrom('passes')
    .leftJoin('clients', 'clients.id', 'passes.client_id')
    .leftJoin('presence', (join) =>
      join
        .onRef('presence.pass_id', '=', 'passes.id')
        .on(
          'presence.location_id',
          '=',
          sql<string>`coalesce(${doorLocationId}::text, passes.location_id)`,
        ),
    )
    .select([
      'passes.id',
      'passes.code',
      'passes.type',
      'passes.status',
      'passes.valid_from',
      'passes.valid_until',
      'passes.max_usages',
      'passes.usages_count',
      'passes.last_admitted_at',
      'passes.name',
      'passes.location_id',
      'clients.name as client_name',
      'presence.inside',
      sql<string>`passes.sync_xid::text`.as('sync_xid'),
    ])
    .where('passes.tenant_id', '=', tenantId);
  if (start.from !== null) {
    query = query.where(sql<boolean>`passes.sync_xid >= ${start.from}::xid8`);
  }
  if (start.after) {
    const { xid, id } = start.after;
    query = query.where(sql<boolean>`(passes.sync_xid, passes.id) > (${xid}::xid8, ${id})`);
  }
  const rows = await query
    .orderBy(sql`passes.sync_xid`)
    .orderBy('passes.id')
    .limit(limit + 1)
    .execute();
  return sweepPage(rows, limit, start, place);
}

export async function noteSynced(db: Kysely<Database>, deviceId: string, at = new Date()) {
  await db.updateTable('devices').set({ last_sync_at: at }).where('id', '=', deviceId).execute();
}
