import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/schema';
import type { PassWithClient } from './present';

/** Passes with their client's contact fields: the one shape every pass read uses. */
export function selectPasses(db: Kysely<Database>, tenantId: string) {
  return db
    .selectFrom('passes')
    .leftJoin('clients', 'clients.id', 'passes.client_id')
    .selectAll('passes')
    .select([
      'clients.name as client_name',
      'clients.email as client_email',
      'clients.phone as client_phone',
    ])
    .where('passes.tenant_id', '=', tenantId);
}

export async function findPass(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<PassWithClient | undefined> {
  return selectPasses(db, tenantId).where('passes.id', '=', id).executeTakeFirst();
}

/** Locks the pass row for the rest of the transaction. */
export async function findPassForUpdate(trx: Transaction<Database>, tenantId: string, id: string) {
  return selectPasses(trx, tenantId)
    .where('passes.id', '=', id)
    .forUpdate('passes')
    .executeTakeFirst();
}

/**
 * The code of the tenant's one pass whose code is `typed` but for letter case, when exactly one
 * is: a code typed by hand (`ospexz3ppsrc` for `ospeXZ3ppsrC`). Undefined when none is, or when
 * two codes issued before differ only in case and neither is surely meant.
 */
export async function codeTypedAs(db: Kysely<Database>, tenantId: string, typed: string) {
  const found = await db
    .selectFrom('passes')
    .select('code')
    .where('tenant_id', '=', tenantId)
    .where(sql<string>`upper(code)`, '=', typed.toUpperCase())
    .limit(2)
    .execute();
  return found.length === 1 ? found[0]?.code : undefined;
}
