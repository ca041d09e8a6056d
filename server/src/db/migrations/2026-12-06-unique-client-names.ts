import { type Kysely, sql } from 'kysely';
import { FOLDED_LETTERS } from '../../domain/folding';
import { newId } from '../../domain/ids';

// One client per name of a tenant, whatever its case and accents: "gómez family" is
// "Gómez Family". `name_key` is the name folded (see `domain/folding.ts`), made by the database,
// under a unique index. Clients whose names fold alike are merged first, into the oldest: their
// passes move to it, it takes whatever email, phone and notes it lacks from the others (the
// older first), and each merge is a `client.merged` event, as `POST /clients/{id}/merge` makes.

interface ClientRow {
  id: string;
  tenant_id: string;
  name: string;
  email: string | null;
  phone: string | null;
  notes: string | null;
  created_at: Date;
  name_key: string;
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE clients ADD COLUMN name_key text NOT NULL GENERATED ALWAYS AS
    (translate(lower(name), ${sql.lit(FOLDED_LETTERS.from)}, ${sql.lit(FOLDED_LETTERS.to)})) STORED`.execute(
    db,
  );
  const { rows } = await sql<ClientRow>`
    SELECT * FROM clients AS c
     WHERE EXISTS (SELECT 1 FROM clients AS other
                    WHERE other.tenant_id = c.tenant_id AND other.name_key = c.name_key
                      AND other.id <> c.id)
     ORDER BY tenant_id, name_key, created_at, id`.execute(db);
  const groups = new Map<string, ClientRow[]>();
  for (const row of rows) {
    const key = `${row.tenant_id}\u0000${row.name_key}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [keep, ...others] of groups.values()) {
    if (!keep) continue;
    for (const other of others) await mergeInto(db, keep, other);
  }
  await sql`CREATE UNIQUE INDEX clients_tenant_name_key ON clients (tenant_id, name_key)`.execute(
    db,
  );
  await sql`DROP INDEX IF EXISTS clients_tenant_name`.execute(db);
  await sql`CREATE INDEX clients_name_key_search ON clients USING gin (name_key gin_trgm_ops)`.execute(
    db,
  );
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
async function mergeInto(db: Kysely<any>, keep: ClientRow, other: ClientRow) {
  const now = new Date();
  const moved = await sql`UPDATE passes SET client_id = ${keep.id}, updated_at = ${now}
                           WHERE tenant_id = ${keep.tenant_id} AND client_id = ${other.id}`.execute(
    db,
  );
  keep.email ??= other.email;
  keep.phone ??= other.phone;
  keep.notes ??= other.notes;
  await sql`UPDATE clients SET email = ${keep.email}, phone = ${keep.phone}, notes = ${keep.notes}
             WHERE id = ${keep.id}`.execute(db);
  await sql`DELETE FROM clients WHERE id = ${other.id}`.execute(db);
  const data = {
    id: keep.id,
    name: keep.name,
    email: keep.email,
    phone: keep.phone,
    notes: keep.notes,
    createdAt: new Date(keep.created_at).toISOString(),
    mergedId: other.id,
    mergedName: other.name,
    passesMoved: Number(moved.numAffectedRows ?? 0),
  };
  await sql`INSERT INTO events (id, tenant_id, type, subject_id, data, created_at)
            VALUES (${newId('evt')}, ${keep.tenant_id}, 'client.merged', ${keep.id},
                    ${JSON.stringify(data)}, ${now})`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema of their own time
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS clients_name_key_search`.execute(db);
  await sql`DROP INDEX IF EXISTS clients_tenant_name_key`.execute(db);
  await sql`CREATE INDEX IF NOT EXISTS clients_tenant_name ON clients (tenant_id, name)`.execute(
    db,
  );
  await sql`ALTER TABLE clients DROP COLUMN IF EXISTS name_key`.execute(db);
}
