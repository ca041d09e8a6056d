import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { ApiError } from '../errors';

/**
 * 403 when `adding` more rows would take the tenant past `limit` rows in `table` (null: no
 * limit). Locks the tenant row first, so concurrent creates queue behind each other instead of
 * all slipping under the limit. The lock is `FOR NO KEY UPDATE`: it does not block the key-share
 * lock that every insert referencing the tenant takes, so the tenant's scans never wait on it.
 */
export async function assertBelowTenantLimit(
  trx: Transaction<Database>,
  tenantId: string,
  table: 'passes' | 'webhooks',
  limit: number | null,
  message: string,
  adding = 1,
) {
  if (limit === null) return;
  await trx
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', tenantId)
    .forNoKeyUpdate()
    .execute();
  if ((await countOf(trx, tenantId, table)) + adding > limit) throw new ApiError(403, message);
}

/**
 * How many rows the tenant has in `table`: what its plan's limits count. Passes count those an
 * accepted import is still writing, so that what it reserved stays its own.
 */
export async function countOf(
  db: Kysely<Database>,
  tenantId: string,
  table: 'passes' | 'webhooks',
): Promise<number> {
  const counted = db
    .selectFrom(table)
    .select(sql<number>`count(*)::int`.as('total'))
    .where('tenant_id', '=', tenantId);
  if (table === 'webhooks') return (await counted.executeTakeFirstOrThrow()).total;
  // One statement, one snapshot: a part of an import moves passes from one count to the other.
  const unwritten = db
    .selectFrom('pass_imports')
    .select(sql<number>`coalesce(sum(total - written), 0)::int`.as('unwritten'))
    .where('tenant_id', '=', tenantId);
  const { total } = await db
    .selectNoFrom(sql<number>`(${counted}) + (${unwritten})`.as('total'))
    .executeTakeFirstOrThrow();
  return total;
}
