import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';

/**
 * Where a door's sync stands. A sweep reads, in the order `(sync_xid, id)`, every pass written
 * by a transaction with an id from `from` on (every pass when `from` is null), page by page.
 * `next` is the next sweep's `from`: the oldest transaction still running when this sweep began.
 * Any write that commits later has an id at least that large, so it comes in the next sweep,
 * whatever order transactions commit in. `after` is the sweep's place between pages; null once
 * the sweep is complete. `place` tags the location the cursor's presence was read for (see
 * `placeTag`): a door moved elsewhere starts over.
 */
export interface SyncCursor {
  next: string;
  sweep: { from: string | null; after: { xid: string; id: string } } | null;
  place?: string | undefined;
}

const CURSOR =
  /^v1\.(\d{1,20})(?:\.(\d{0,20})\.(\d{1,20})\.(pass_[A-Za-z0-9]{20}))?(?:~([0-9a-f]{8}))?$/;

/**
 * A short tag of a door's location, kept in its cursor: each pass's `inside` is read for that
 * place, so a cursor made for another place (the door was moved) is not continued.
 */
export const placeTag = (locationId: string | null) =>
  locationId === null
    ? undefined
    : createHash('sha256').update(locationId).digest('hex').slice(0, 8);
const MAX_XID8 = 18446744073709551615n;

/** The cursor's text, as the door keeps it; undefined when it is not one of ours. */
export function parseCursor(text: string): SyncCursor | undefined {
  const match = CURSOR.exec(text);
  if (!match) return undefined;
  const [, next, from, xid, id, place] = match as unknown as [
    string,
    string,
    string?,
    string?,
    string?,
    string?,
  ];
  const xids = [next, from, xid].filter((value) => value !== undefined && value !== '');
  if (xids.some((value) => BigInt(value as string) > MAX_XID8)) return undefined;
  const tagged = place === undefined ? {} : { place };
  if (xid === undefined || id === undefined) return { next, sweep: null, ...tagged };
  return { next, sweep: { from: from || null, after: { xid, id } }, ...tagged };
}

export function formatCursor({ next, sweep, place }: SyncCursor): string {
  const tag = place === undefined ? '' : `~${place}`;
  if (!sweep) return `v1.${next}${tag}`;
  return `v1.${next}.${sweep.from ?? ''}.${sweep.after.xid}.${sweep.after.id}${tag}`;
}

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
 * The oldest transaction still running (or the next to start), a new sweep's floor, and the next
 * transaction id to be given out: no cursor of this database can be past it.
 */
export async function snapshot(db: Kysely<Database>): Promise<{ floor: string; next: string }> {
  const { rows } = await sql<{ floor: string; next: string }>`
    SELECT pg_snapshot_xmin(s)::text AS floor, pg_snapshot_xmax(s)::text AS next
      FROM pg_current_snapshot() AS s`.execute(db);
  const [row] = rows;
  if (!row) throw new Error('pg_current_snapshot() gave no row');
  return row;
}

/** A cursor past every transaction of this database (from another one, or a restored backup). */
export class ForeignCursorError extends Error {}

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
  given: SyncCursor | undefined,
  limit: number,
  doorLocationId: string | null = null,
): Promise<{ rows: SyncPassRow[]; cursor: SyncCursor; hasMore: boolean }> {
  const place = placeTag(doorLocationId);
  const cursor = given && given.place === place ? given : undefined;
  const now = await snapshot(db);
  if (cursor && BigInt(cursor.next) > BigInt(now.next)) throw new ForeignCursorError();
  // Mid-sweep, the sweep goes on; else a new one starts from where the last one said.
  const from = cursor?.sweep ? cursor.sweep.from : (cursor?.next ?? null);
  const next = cursor?.sweep ? cursor.next : now.floor;
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
  if (from !== null) query = query.where(sql<boolean>`passes.sync_xid >= ${from}::xid8`);
  if (cursor?.sweep) {
    const { xid, id } = cursor.sweep.after;
    query = query.where(sql<boolean>`(passes.sync_xid, passes.id) > (${xid}::xid8, ${id})`);
  }
  const rows = await query
    .orderBy(sql`passes.sync_xid`)
    .orderBy('passes.id')
    .limit(limit + 1)
    .execute();
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return {
    rows: page,
    hasMore,
    cursor:
      hasMore && last
        ? { next, sweep: { from, after: { xid: last.sync_xid, id: last.id } }, place }
        : { next, sweep: null, place },
  };
}

export async function noteSynced(db: Kysely<Database>, deviceId: string, at = new Date()) {
  await db.updateTable('devices').set({ last_sync_at: at }).where('id', '=', deviceId).execute();
}
