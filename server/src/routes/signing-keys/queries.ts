import { type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';
import { type SweepCursor, sweepPage, sweepStart } from '../../domain/sweep';

/** The tenant's keys, newest first, retired ones included. */
export const listSigningKeys = (db: Kysely<Database>, tenantId: string) =>
  db
    .selectFrom('signing_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();

/** Retires a key (once): the key as it is after. Undefined when the tenant has no such key. */
export async function retireSigningKey(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  now: Date,
) {
  await db
    .updateTable('signing_keys')
    .set({ retired_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('retired_at', 'is', null)
    .execute();
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * One page of the tenant's revocation list changed since `cursor` (all of it without one), in the
 * order of the transactions that changed it (ADR 4), each entry with its pass as it stands. An
 * entry whose codes have expired is left out.
 */
export async function revocationsPage(
  db: Kysely<Database>,
  tenantId: string,
  given: SweepCursor | undefined,
  limit: number,
  now: Date,
) {
  const start = await sweepStart(db, given);
  let query = db
    .selectFrom('revocations')
    .innerJoin('passes', 'passes.id', 'revocations.pass_id')
    .select([
      'revocations.id',
      sql<string>`revocations.sync_xid::text`.as('sync_xid'),
      'revocations.whole_pass',
      'revocations.type as replaced_type',
      'revocations.max_usages as replaced_max_usages',
      'revocations.valid_from as replaced_valid_from',
      'revocations.valid_until as replaced_valid_until',
      'revocations.location_id as replaced_location_id',
      'passes.code',
      'passes.status',
      'passes.type',
      'passes.max_usages',
      'passes.valid_from',
      'passes.valid_until',
      'passes.location_id',
    ])
    .where('revocations.tenant_id', '=', tenantId)
    .where(sql<boolean>`coalesce(CASE WHEN revocations.whole_pass THEN passes.valid_until
                                      ELSE revocations.valid_until END, 'infinity') > ${now}`);
  if (start.from !== null) {
    query = query.where(sql<boolean>`revocations.sync_xid >= ${start.from}::xid8`);
  }
  if (start.after) {
    const { xid, id } = start.after;
    query = query.where(
      sql<boolean>`(revocations.sync_xid, revocations.id) > (${xid}::xid8, ${id}::bigint)`,
    );
  }
  const rows = await query
    .orderBy(sql`revocations.sync_xid`)
    .orderBy('revocations.id')
    .limit(limit + 1)
    .execute();
  return sweepPage(rows, limit, start);
}

export type RevocationRow = Awaited<ReturnType<typeof revocationsPage>>['rows'][number];
