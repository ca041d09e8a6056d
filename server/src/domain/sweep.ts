import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/schema';

// Following a table in the order of the transactions that wrote it (ADR 4): rows carry
// `sync_xid`, the id of the last transaction that wrote them, and a reader sweeps them in the
// order `(sync_xid, id)` from where its cursor says. The door's sync follows passes this way, an
// integrator the revocation list.

/**
 * Where a reader stands. A sweep reads, in the order `(sync_xid, id)`, every row written by a
 * transaction with an id from `from` on (every row when `from` is null), page by page. `next` is
 * the next sweep's `from`: the oldest transaction still running when this sweep began. Any write
 * that commits later has an id at least that large, so it comes in the next sweep, whatever
 * order transactions commit in. `after` is the sweep's place between pages; null once the sweep
 * is complete. `place` tags what the rows were read for (the sync's door location): a cursor
 * made for another is not continued.
 */
export interface SweepCursor {
  next: string;
  sweep: { from: string | null; after: { xid: string; id: string } } | null;
  place?: string | undefined;
}

const CURSOR =
  /^v1\.(\d{1,20})(?:\.(\d{0,20})\.(\d{1,20})\.([A-Za-z0-9_]{1,40}))?(?:~([0-9a-f]{8}))?$/;
const MAX_XID8 = 18446744073709551615n;

/** A short tag of what a cursor was read for (see `SweepCursor.place`). */
export const placeTag = (id: string | null) =>
  id === null ? undefined : createHash('sha256').update(id).digest('hex').slice(0, 8);

/** The cursor's text, as its reader keeps it; undefined when it is not one of ours. */
export function parseCursor(text: string, id: RegExp = /^pass_[A-Za-z0-9]{20}$/) {
  const match = CURSOR.exec(text);
  if (!match) return undefined;
  const [, next, from, xid, after, place] = match as unknown as [
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
  if (xid === undefined || after === undefined) return { next, sweep: null, ...tagged };
  if (!id.test(after)) return undefined;
  const cursor: SweepCursor = { next, sweep: { from: from || null, after: { xid, id: after } } };
  return { ...cursor, ...tagged };
}

export function formatCursor({ next, sweep, place }: SweepCursor): string {
  const tag = place === undefined ? '' : `~${place}`;
  if (!sweep) return `v1.${next}${tag}`;
  return `v1.${next}.${sweep.from ?? ''}.${sweep.after.xid}.${sweep.after.id}${tag}`;
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
 * Where the page asked with `cursor` starts: `from` (null: from the first row), the row it
 * follows mid-sweep, and the next sweep's floor, read before the page so that a transaction
 * still running now is read again by the next sweep, however it is ordered against this page.
 */
export async function sweepStart(db: Kysely<Database>, cursor: SweepCursor | undefined) {
  const now = await snapshot(db);
  if (cursor && BigInt(cursor.next) > BigInt(now.next)) throw new ForeignCursorError();
  return {
    from: cursor?.sweep ? cursor.sweep.from : (cursor?.next ?? null),
    after: cursor?.sweep?.after ?? null,
    next: cursor?.sweep ? cursor.next : now.floor,
  };
}

/** A page of `limit` rows out of the `limit + 1` read, and the cursor to ask with next. */
export function sweepPage<Row extends { sync_xid: string; id: string }>(
  rows: Row[],
  limit: number,
  start: { from: string | null; next: string },
  place?: string,
): { rows: Row[]; cursor: SweepCursor; hasMore: boolean } {
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  const { from, next } = start;
  return {
    rows: page,
    hasMore,
    cursor:
      hasMore && last
        ? { next, sweep: { from, after: { xid: last.sync_xid, id: last.id } }, place }
        : { next, sweep: null, place },
  };
}
