import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';

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
