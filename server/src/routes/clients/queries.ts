import type { CreateClientBody, UpdateClientBody } from '@passgate/shared';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ClientRow, Database } from '../../db/schema';
import { fold, foldSql } from '../../domain/folding';
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
 * The tenant's oldest client of this name, whatever its case and accents ("gómez family" is
 * "Gómez Family"), or a new one. A transaction-scoped advisory lock on the folded name keeps two
 * concurrent creates from making two clients.
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
 * For each name, the tenant's oldest client of that name whatever its case and accents, or a
 * new one (with its `client.created` event), by the name as first given: a CSV import's clients
 * in three statements. The folded names' advisory locks are taken in one order, so two imports
 * naming the same clients cannot deadlock. The answer is keyed by the names as given.
 */
export async function findOrCreateClientsByName(
  trx: Transaction<Database>,
  tenantId: string,
  names: readonly string[],
): Promise<Map<string, ClientRow>> {
  const byKey = new Map<string, ClientRow>();
  const asGiven = new Map<string, string>(); // folded name → its first spelling
  for (const name of names) if (!asGiven.has(fold(name))) asGiven.set(fold(name), name);
  const wanted = [...asGiven.keys()].sort();
  const answer = () => new Map(names.map((name) => [name, byKey.get(fold(name)) as ClientRow]));
  if (wanted.length === 0) return answer();
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:`} || name, 0))
              FROM unnest(${wanted}::text[]) WITH ORDINALITY AS wanted(name, place)
             ORDER BY place`.execute(trx);
  const existing = await trx
    .selectFrom('clients')
    .selectAll()
    .select(foldSql(sql.ref('name')).as('folded'))
    .distinctOn(foldSql(sql.ref('name')))
    .where('tenant_id', '=', tenantId)
    .where(foldSql(sql.ref('name')), 'in', wanted)
    .orderBy(foldSql(sql.ref('name')))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const { folded, ...client } of existing) byKey.set(folded, client);
  const missing = wanted.filter((key) => !byKey.has(key)).map((key) => asGiven.get(key) as string);
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
    for (const client of created) byKey.set(fold(client.name), client);
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
  return answer();
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
    const search = query.search;
    const pattern = likePattern(search);
    filtered = filtered.where((eb) =>
      eb.or([
        eb(foldSql(sql.ref('name')), 'like', likePattern(fold(search))),
        eb(sql`lower(coalesce(email, ''))`, 'like', pattern),
        eb(sql`lower(coalesce(phone, ''))`, 'like', pattern),
      ]),
    );
  }
  return paginate(filtered.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'), query);
}

/**
 * Changes what `changes` names of the tenant's client (null clears email, phone and notes), in
 * the caller's transaction; undefined when there is no such client. Passes that name the client
 * by its id follow it.
 */
export async function updateClient(
  trx: Transaction<Database>,
  tenantId: string,
  clientId: string,
  changes: UpdateClientBody,
) {
  const set = Object.fromEntries(
    Object.entries({
      name: changes.name,
      email: changes.email,
      phone: changes.phone === '' ? null : changes.phone,
      notes: changes.notes,
    }).filter(([, value]) => value !== undefined),
  );
  if (Object.keys(set).length === 0) return findClient(trx, tenantId, clientId);
  return trx
    .updateTable('clients')
    .set(set)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', clientId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Merges the tenant's client `fromId` into `intoId`, in the caller's transaction: the passes of
 * the one move to the other, which takes whatever email, phone and notes it lacks, and the one
 * goes, with a `client.merged` event. Both are locked, in the order of their ids, so that two
 * merges of the same pair cannot deadlock. Why not, when it cannot.
 */
export async function mergeClients(
  trx: Transaction<Database>,
  tenantId: string,
  fromId: string,
  intoId: string,
): Promise<
  { ok: true; client: ClientRow; passesMoved: number } | { ok: false; reason: 'same' | 'unknown' }
> {
  if (fromId === intoId) return { ok: false, reason: 'same' };
  const locked = await trx
    .selectFrom('clients')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', [fromId, intoId])
    .orderBy('id')
    .forUpdate()
    .execute();
  const from = locked.find((client) => client.id === fromId);
  const into = locked.find((client) => client.id === intoId);
  if (!from || !into) return { ok: false, reason: 'unknown' };
  const moved = await trx
    .updateTable('passes')
    .set({ client_id: into.id, updated_at: new Date() })
    .where('tenant_id', '=', tenantId)
    .where('client_id', '=', from.id)
    .executeTakeFirst();
  const client = await trx
    .updateTable('clients')
    .set({
      email: into.email ?? from.email,
      phone: into.phone ?? from.phone,
      notes: into.notes ?? from.notes,
    })
    .where('id', '=', into.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx.deleteFrom('clients').where('id', '=', from.id).execute();
  const passesMoved = Number(moved.numUpdatedRows);
  await recordEvents(trx, tenantId, [
    {
      type: 'client.merged',
      subjectId: client.id,
      data: { ...presentClient(client), mergedId: from.id, mergedName: from.name, passesMoved },
    },
  ]);
  return { ok: true, client, passesMoved };
}
