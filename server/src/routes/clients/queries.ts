import type { CreateClientBody } from '@passgate/shared';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ClientRow, Database } from '../../db/schema';
import { newId } from '../../domain/ids';
import { recordEvents } from '../../events';
import { likePattern, paginate } from '../support';
import { presentClient } from './present';

/** Inserts a client and its `client.created` event in the caller's transaction. */
export async function insertClient(
  trx: Transaction<Database>,
  tenantId: string,
  body: CreateClientBody,
) {
  const client = await trx
    .insertInto('clients')
    .values({
      id: newId('cli'),
      tenant_id: tenantId,
      name: body.name,
      email: body.email ?? null,
      phone: body.phone || null,
      notes: body.notes ?? null,
      created_at: new Date(),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordEvents(trx, tenantId, [
    { type: 'client.created', subjectId: client.id, data: presentClient(client) },
  ]);
  return client;
}

/**
 * The tenant's oldest client of exactly this name, or a new one. A transaction-scoped advisory
 * lock on the name keeps two concurrent creates from making two clients.
 */
export async function findOrCreateClientByName(
  trx: Transaction<Database>,
  tenantId: string,
  name: string,
) {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:${name}`}, 0))`.execute(
    trx,
  );
  const existing = await trx
    .selectFrom('clients')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return existing ?? (await insertClient(trx, tenantId, { name }));
}

export async function findClient(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
): Promise<ClientRow | undefined> {
  return db
    .selectFrom('clients')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listClients(
  db: Kysely<Database>,
  tenantId: string,
  query: { search?: string; limit: number; page: number },
) {
  let filtered = db.selectFrom('clients').where('tenant_id', '=', tenantId);
  if (query.search) {
    const pattern = likePattern(query.search);
    filtered = filtered.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['name']), 'like', pattern),
        eb(sql`lower(coalesce(email, ''))`, 'like', pattern),
        eb(sql`lower(coalesce(phone, ''))`, 'like', pattern),
      ]),
    );
  }
  return paginate(filtered.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'), query);
}
