import { type Expression, type Kysely, sql } from 'kysely';
import type { Database } from '../../db/schema';

/**
 * Scans with what a list of them shows: the pass's code (for an `unknown_pass` exit, the code as
 * scanned) and name, its client's name and the door's name. Filtered by tenant.
 */
export function selectScans(db: Kysely<Database>, tenantId: string | Expression<string>) {
  return db
    .selectFrom('scans')
    .leftJoin('passes', 'passes.id', 'scans.pass_id')
    .leftJoin('clients', 'clients.id', 'passes.client_id')
    .leftJoin('devices', 'devices.id', 'scans.device_id')
    .selectAll('scans')
    .select((eb) => [
      eb.fn.coalesce('passes.code', 'scans.code').$notNull().as('pass_code'),
      'passes.name as pass_name',
      'clients.name as client_name',
      'devices.name as device_name',
    ])
    .where('scans.tenant_id', '=', tenantId);
}

/** A scan row with what its answers show of its pass and its door. */
export async function findScans(
  db: Kysely<Database>,
  tenantId: string,
  where: { id: string } | { apiKeyId: string; idempotencyKey: string },
) {
  let query = selectScans(db, tenantId);
  query =
    'id' in where
      ? query.where('scans.id', '=', where.id)
      : query
          .where('scans.api_key_id', '=', where.apiKeyId)
          .where('scans.idempotency_key', '=', where.idempotencyKey);
  return query.executeTakeFirst();
}
export type ScanWithPass = NonNullable<Awaited<ReturnType<typeof findScans>>>;

/**
 * The tenant's scans written from transaction `from` on, in the order `(stream_xid, id)`, after
 * `after` (within one read of many pages), at most `limit`.
 */
export async function streamScans(
  db: Kysely<Database>,
  tenantId: string,
  from: string,
  after: { xid: string; id: string } | null,
  limit: number,
) {
  let query = selectScans(db, tenantId)
    .select(sql<string>`scans.stream_xid::text`.as('stream_xid'))
    .where(sql<boolean>`scans.stream_xid >= ${from}::xid8`);
  if (after) {
    query = query.where(
      sql<boolean>`(scans.stream_xid, scans.id) > (${after.xid}::xid8, ${after.id})`,
    );
  }
  return query.orderBy(sql`scans.stream_xid`).orderBy('scans.id').limit(limit).execute();
}

/**
 * What `streamScans` answers for many tenants at once, each from its own place, in one
 * statement: at most `limit` a tenant (a tenant with that many may have more).
 */
export async function streamScansOfTenants(
  db: Kysely<Database>,
  places: { tenantId: string; from: string }[],
  limit: number,
) {
  const tenantIds = places.map(({ tenantId }) => tenantId);
  const froms = places.map(({ from }) => from);
  const followed = sql<{ tenant_id: string; from_xid: string }>`(
    SELECT * FROM unnest(${tenantIds}::text[], ${froms}::xid8[]) AS places (tenant_id, from_xid))`;
  return db
    .selectFrom(followed.as('followed'))
    .innerJoinLateral(
      () =>
        selectScans(db, sql.ref<string>('followed.tenant_id'))
          .select(sql<string>`scans.stream_xid::text`.as('stream_xid'))
          .where(sql<boolean>`scans.stream_xid >= followed.from_xid`)
          .orderBy(sql`scans.stream_xid`)
          .orderBy('scans.id')
          .limit(limit)
          .as('scan'),
      (join) => join.onTrue(),
    )
    .selectAll('scan')
    .execute();
}
