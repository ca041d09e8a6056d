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
  const clients = await findOrCreateClientsByName(trx, tenantId, [name]);
  return clients.get(name) as ClientRow;
}

/**
 * For each name, the tenant's oldest client of exactly that name, or a new one (with its
 * `client.created` event): a CSV import's clients in three statements. The names' advisory
 * locks are taken in one order, so two imports naming the same clients cannot deadlock.
 */
export async function findOrCreateClientsByName(
  trx: Transaction<Database>,
  tenantId: string,
  names: readonly string[],
): Promise<Map<string, ClientRow>> {
  const wanted = [...new Set(names)].sort();
  const found = new Map<string, ClientRow>();
  if (wanted.length === 0) return found;
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:`} || name, 0))
              FROM unnest(${wanted}::text[]) WITH ORDINALITY AS wanted(name, place)
             ORDER BY place`.execute(trx);
  const existing = await trx
    .selectFrom('clients')
    .selectAll()
    .distinctOn('name')
    .where('tenant_id', '=', tenantId)
    .where('name', 'in', wanted)
    .orderBy('name')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const client of existing) found.set(client.name, client);
  const missing = wanted.filter((name) => !found.has(name));
  for (let i = 0; i < missing.length; i += INSERT_CHUNK) {
    const created = await trx
      .insertInto('clients')
      .values(
        missing.slice(i, i + INSERT_CHUNK).map((name) => ({
          id: newId('cli'),
          tenant_id: tenantId,
          name,
          email: null,
          phone: null,
          notes: null,
          created_at: new Date(),
        })),
      )
      .returningAll()
      .execute();
    for (const client of created) found.set(client.name, client);
    await recordEvents(
      trx,
      tenantId,
      created.map((client) => ({
        type: 'client.created',
        subjectId: client.id,
        data: presentClient(client),
      })),
    );
  }
  return found;
}

/** Rows per multi-row INSERT: well within PostgreSQL's 65,535 parameters a statement. */
export const INSERT_CHUNK = 1000;

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
