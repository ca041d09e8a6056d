import type { Kysely } from 'kysely';
import type { Database, KeyScope } from '../../db/schema';
import { apiKeyPrefix, newApiKey, newId, sha256 } from '../../domain/ids';
import { paginate } from '../support';

/** A new key of the tenant; answers the key itself (shown once) and its row. */
export async function insertKey(
  db: Kysely<Database>,
  tenantId: string,
  key: { scope: KeyScope; rateLimit: number | null },
) {
  const apiKey = newApiKey();
  const row = await db
    .insertInto('api_keys')
    .values({
      id: newId('key'),
      tenant_id: tenantId,
      prefix: apiKeyPrefix(apiKey),
      key_hash: sha256(apiKey),
      scope: key.scope,
      rate_limit: key.rateLimit,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { apiKey, row };
}

export async function listKeys(
  db: Kysely<Database>,
  tenantId: string,
  page: { page: number; limit: number },
) {
  return paginate(
    db,
    db
      .selectFrom('api_keys')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc'),
    page,
  );
}

export async function findKey(db: Kysely<Database>, tenantId: string, id: string) {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Revokes the key; every server forgets it on commit (see the auth-notify migration). */
export async function revokeKey(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  now = new Date(),
) {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: now })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
