import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';

/**
 * Scans with what a list of them shows: the pass's code (for an `unknown_pass` exit, the code as
 * scanned) and name, its client's name and the door's name. Filtered by tenant.
 */
export function selectScans(db: Kysely<Database>, tenantId: string) {
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
