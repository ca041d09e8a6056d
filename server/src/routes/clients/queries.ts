import type { CreateClientBody, UpdateClientBody } from '@passgate/shared';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ClientRow, Database } from '../../db/schema';
import { foldSql } from '../../domain/folding';
import { newId } from '../../domain/ids';
import { ApiError } from '../../errors';
import { recordEvents } from '../../events';
import { likePattern, paginate } from '../support';
import { presentClient } from './present';

/**
 * Inserts a client and its `client.created` event in the caller's transaction; or, when the
 * tenant has a client of that name whatever its case and accents, 409 naming it.
 */
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
    .onConflict((oc) => oc.columns(['tenant_id', 'name_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!client) throw await nameTaken(trx, tenantId, body.name);
  await recordEvents(trx, tenantId, [
    { type: 'client.created', subjectId: client.id, data: presentClient(client) },
  ]);
  return client;
}

/** The 409 for a name another client of the tenant has already, folded alike. */
async function nameTaken(
  trx: Transaction<Database>,
  tenantId: string,
  name: string,
  exceptId?: string,
) {
  const existing = await trx
    .selectFrom('clients')
    .select(['id', 'name'])
    .where('tenant_id', '=', tenantId)
    .where('name_key', '=', foldSql(sql.val(name)))
    .$if(exceptId !== undefined, (query) => query.where('id', '<>', exceptId as string))
    .executeTakeFirst();
  if (exceptId !== undefined && !existing) return undefined;
  const who = existing ? `"${existing.name}" (${existing.id})` : `"${name}"`;
  return new ApiError(
    409,
    `A client named ${who} exists already: names are compared without case and accents. Use that client, or merge the two`,
  );
}

/** A client named by a pass: its name, and the email a new client of that name starts with. */
export interface ClientByName {
  name: string;
  email?: string | undefined;
}

/**
 * For each name, the tenant's client of that name whatever its case and accents, or a new one
 * (with its `client.created` event) by the name and email as first given: a CSV import's
 * clients in a few statements. The names are folded by the database, as `name_key` is, and
 * their advisory locks taken in one order, so that two imports naming the same clients cannot
 * deadlock; a client created meanwhile by another way in is found after the unique index turns
 * the insert away. The answer is keyed by the names as given.
 */
export async function findOrCreateClientsByName(
  trx: Transaction<Database>,
  tenantId: string,
  wanted: readonly ClientByName[],
): Promise<Map<string, ClientRow>> {
  if (wanted.length === 0) return new Map();
  const names = [...new Set(wanted.map((client) => client.name))];
  const { rows: keys } = await sql<{ name: string; key: string }>`
    SELECT name, ${foldSql(sql.ref('name'))} AS key
      FROM unnest(${names}::text[]) AS given(name)`.execute(trx);
  const keyOf = new Map(keys.map(({ name, key }) => [name, key]));
  const first = new Map<string, ClientByName>(); // folded name → its first spelling and email
  for (const client of wanted) {
    const key = keyOf.get(client.name) as string;
    if (!first.has(key)) first.set(key, client);
  }
  const sorted = [...first.keys()].sort();
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenantId}:`} || key, 0))
              FROM unnest(${sorted}::text[]) WITH ORDINALITY AS wanted(key, place)
             ORDER BY place`.execute(trx);
  const byKey = new Map<string, ClientRow>();
  const findExisting = async (among: string[]) => {
    for (let i = 0; i < among.length; i += INSERT_CHUNK) {
      const found = await trx
        .selectFrom('clients')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('name_key', 'in', among.slice(i, i + INSERT_CHUNK))
        .execute();
      for (const client of found) byKey.set(client.name_key, client);
    }
  };
  await findExisting(sorted);
  const missing = sorted.filter((key) => !byKey.has(key));
  for (let i = 0; i < missing.length; i += INSERT_CHUNK) {
    const created = await trx
      .insertInto('clients')
      .values(
        missing.slice(i, i + INSERT_CHUNK).map((key) => ({
          id: newId('cli'),
          tenant_id: tenantId,
          name: first.get(key)?.name as string,
          email: first.get(key)?.email ?? null,
          phone: null,
          notes: null,
          created_at: new Date(),
        })),
      )
      .onConflict((oc) => oc.columns(['tenant_id', 'name_key']).doNothing())
      .returningAll()
      .execute();
    for (const client of created) byKey.set(client.name_key, client);
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
  await findExisting(missing.filter((key) => !byKey.has(key)));
  return new Map(names.map((name) => [name, byKey.get(keyOf.get(name) as string) as ClientRow]));
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
        eb('name_key', 'like', foldSql(sql.val(likePattern(search)))),
        eb(sql`lower(coalesce(email, ''))`, 'like', pattern),
        eb(sql`lower(coalesce(phone, ''))`, 'like', pattern),
      ]),
    );
  }
  return paginate(
    db,
    filtered.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc'),
    query,
  );
}

/**
 * Changes what `changes` names of the tenant's client (null clears email, phone and notes), in
 * the caller's transaction; undefined when there is no such client, 409 when another client has
 * the new name already. Passes that name the client by its id follow it. (A rename racing
 * another to the same name meets the unique index: `onError` answers that 409 too.)
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
  if (changes.name !== undefined) {
    const taken = await nameTaken(trx, tenantId, changes.name, clientId);
    if (taken) throw taken;
  }
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
